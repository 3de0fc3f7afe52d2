package postgres

// SchemaVersions is how many migrations this central knows.
var SchemaVersions = len(migrations)
