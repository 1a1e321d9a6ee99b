package main

import (
	"context"

	"folio/app/config"
)

// checkDocumentBucket checks the S3-compatible bucket that keeps documents in place of the
// upload folder. config.Load has already refused plain HTTP to any host but a loopback one
// in production; this says which of the two the endpoint is, then writes, reads and
// removes a probe object in the bucket.
func checkDocumentBucket(ctx context.Context, s3 config.DocumentsS3Config) []checkResult {
	var results []checkResult
	if s3.Insecure {
		results = append(results, pass("document store endpoint (DOCUMENTS_S3_ENDPOINT): "+
			"plain HTTP, to the loopback host "+s3.Endpoint))
	} else {
		results = append(results, pass("document store endpoint (DOCUMENTS_S3_ENDPOINT): https"))
	}

	const name = "document bucket (DOCUMENTS_S3_BUCKET): exists, writable, readable"
	store, err := newS3Storage(s3)
	if err != nil {
		return append(results, fail(name, err.Error(), "correct the DOCUMENTS_S3_ settings"))
	}
	ctx, cancel := context.WithTimeout(ctx, checkTimeout)
	defer cancel()
	if err := store.Check(ctx); err != nil {
		return append(results, fail(name, err.Error(),
			"check that DOCUMENTS_S3_ENDPOINT answers, that the bucket exists and that "+
				"DOCUMENTS_S3_ACCESS_KEY may put, get and delete objects under DOCUMENTS_S3_PREFIX"))
	}
	return append(results, pass(name))
}
