//go:build soak && cgo && linux

package main

/*
#include <malloc.h>
*/
import "C"

import "fmt"

// mallocStats reports glibc malloc's own view of the C heap (GL driver,
// Mesa, GLFW): bytes in use, bytes free inside the arenas and bytes in
// direct mmaps. In use growing means C memory is held; free growing means
// fragmentation.
func mallocStats() string {
	mi := C.mallinfo2()
	return fmt.Sprintf("inuse=%d free=%d mmap=%d", uint64(mi.uordblks), uint64(mi.fordblks), uint64(mi.hblkhd))
}
