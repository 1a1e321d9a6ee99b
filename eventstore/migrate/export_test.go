package migrate

// The tests need pgtest, which imports this package, so they live in package migrate_test and
// reach the file-system variants through these names.
var (
	ApplyFS   = apply
	PendingFS = pending
)
