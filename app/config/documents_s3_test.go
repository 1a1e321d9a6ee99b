package config_test

import (
	"strings"
	"testing"

	"folio/app/config"
)

const s3Secret = "wJalrXUtnFEMI-K7MDENG-bPxRfiCYEXAMPLEKEY"

func s3Env(production bool, overrides map[string]string) map[string]string {
	values := map[string]string{
		"DOCUMENTS_S3_ENDPOINT":   "s3.example.org",
		"DOCUMENTS_S3_BUCKET":     "folio-documents",
		"DOCUMENTS_S3_ACCESS_KEY": "AKIAFOLIO",
		"DOCUMENTS_S3_SECRET_KEY": s3Secret,
	}
	if production {
		values["APP_ENV"] = "production"
		values["SECRET_KEY"] = goodSecret
		values["DATABASE_URL"] = "postgres://folio@db/folio"
	}
	for name, value := range overrides {
		values[name] = value
	}
	return values
}

func TestLoadDocumentsS3(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want config.DocumentsS3Config
	}{
		{"host and port", s3Env(true, map[string]string{
			"DOCUMENTS_S3_ENDPOINT": "s3.example.org:9000", "DOCUMENTS_S3_REGION": "eu-west-1",
			"DOCUMENTS_S3_PREFIX": "/books/folio/"}),
			config.DocumentsS3Config{Endpoint: "s3.example.org:9000", Region: "eu-west-1",
				Prefix: "books/folio"}},
		{"https URL", s3Env(true, map[string]string{"DOCUMENTS_S3_ENDPOINT": "https://s3.example.org/"}),
			config.DocumentsS3Config{Endpoint: "s3.example.org"}},
		{"plain HTTP to loopback in production", s3Env(true, map[string]string{
			"DOCUMENTS_S3_ENDPOINT": "127.0.0.1:9000", "DOCUMENTS_S3_INSECURE": "true"}),
			config.DocumentsS3Config{Endpoint: "127.0.0.1:9000", Insecure: true}},
		{"plain HTTP to IPv6 loopback in production", s3Env(true, map[string]string{
			"DOCUMENTS_S3_ENDPOINT": "http://[::1]:9000", "DOCUMENTS_S3_INSECURE": "true"}),
			config.DocumentsS3Config{Endpoint: "[::1]:9000", Insecure: true}},
		{"plain HTTP to any host in development", s3Env(false, map[string]string{
			"DOCUMENTS_S3_ENDPOINT": "minio.internal:9000", "DOCUMENTS_S3_INSECURE": "true"}),
			config.DocumentsS3Config{Endpoint: "minio.internal:9000", Insecure: true}},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			got, err := config.Load(env(test.env), t.TempDir())
			if err != nil {
				t.Fatalf("Load: %v", err)
			}

			want := test.want
			want.Bucket, want.AccessKey, want.SecretKey = "folio-documents", "AKIAFOLIO", s3Secret
			if got.DocumentsS3 != want || !got.DocumentsS3.Enabled() {
				t.Errorf("got %+v, want %+v", got.DocumentsS3, want)
			}
		})
	}
}

func TestLoadDocumentsS3IsOffByDefault(t *testing.T) {
	got, err := config.Load(env(nil), t.TempDir())
	if err != nil {
		t.Fatalf("Load: %v", err)
	}

	if got.DocumentsS3.Enabled() || got.DocumentsS3 != (config.DocumentsS3Config{}) {
		t.Errorf("got %+v, want no bucket", got.DocumentsS3)
	}
}

func TestLoadDocumentsS3Refuses(t *testing.T) {
	tests := []struct {
		name      string
		env       map[string]string
		wantError string
	}{
		{"plain HTTP to another host in production", s3Env(true, map[string]string{
			"DOCUMENTS_S3_ENDPOINT": "minio.internal:9000", "DOCUMENTS_S3_INSECURE": "true"}),
			"must use https in production"},
		{"an http URL without DOCUMENTS_S3_INSECURE", s3Env(false, map[string]string{
			"DOCUMENTS_S3_ENDPOINT": "http://127.0.0.1:9000"}), "DOCUMENTS_S3_INSECURE=true"},
		{"an https URL with DOCUMENTS_S3_INSECURE", s3Env(false, map[string]string{
			"DOCUMENTS_S3_ENDPOINT": "https://127.0.0.1:9000", "DOCUMENTS_S3_INSECURE": "true"}),
			"drop one of them"},
		{"another scheme", s3Env(false, map[string]string{"DOCUMENTS_S3_ENDPOINT": "ftp://s3.example.org"}),
			"DOCUMENTS_S3_ENDPOINT"},
		{"a bad insecure flag", s3Env(false, map[string]string{"DOCUMENTS_S3_INSECURE": "maybe"}),
			"DOCUMENTS_S3_INSECURE"},
		{"settings without a bucket", s3Env(false, map[string]string{"DOCUMENTS_S3_BUCKET": ""}),
			"DOCUMENTS_S3_BUCKET must be set"},
		{"a bucket without an endpoint", s3Env(false, map[string]string{"DOCUMENTS_S3_ENDPOINT": ""}),
			"DOCUMENTS_S3_ENDPOINT must be set"},
		{"a bucket without a secret key", s3Env(false, map[string]string{"DOCUMENTS_S3_SECRET_KEY": ""}),
			"DOCUMENTS_S3_SECRET_KEY"},
		{"a bucket name with capitals", s3Env(false, map[string]string{"DOCUMENTS_S3_BUCKET": "Folio"}),
			"DOCUMENTS_S3_BUCKET must be a bucket name"},
		{"a prefix that climbs", s3Env(false, map[string]string{"DOCUMENTS_S3_PREFIX": "books/../other"}),
			"DOCUMENTS_S3_PREFIX"},
		{"an endpoint with a path", s3Env(false, map[string]string{
			"DOCUMENTS_S3_ENDPOINT": "https://s3.example.org/bucket"}), "without a path"},
		{"an endpoint with credentials", s3Env(false, map[string]string{
			"DOCUMENTS_S3_ENDPOINT": "https://AKIAFOLIO:" + s3Secret + "@s3.example.org"}),
			"without a user name, password"},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			_, err := config.Load(env(test.env), t.TempDir())

			if err == nil {
				t.Fatalf("Load: got no error, want one saying %q", test.wantError)
			}
			if !strings.Contains(err.Error(), test.wantError) {
				t.Errorf("error: got %q, want it to say %q", err, test.wantError)
			}
			if strings.Contains(err.Error(), s3Secret) {
				t.Errorf("error quotes the secret key: %q", err)
			}
		})
	}
}
