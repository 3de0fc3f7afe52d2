package borgerkiosk

// BundleSignedBytes lets the external tests sign bundle bytes that
// SignBundle would never produce (unknown fields, bad catalogues).
var BundleSignedBytes = bundleSignedBytes
