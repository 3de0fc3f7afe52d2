//go:build soak && !(cgo && linux)

package main

// mallocStats: glibc's figures exist only in a cgo build on Linux.
func mallocStats() string { return "inuse=0 free=0 mmap=0" }
