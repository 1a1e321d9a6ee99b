package config

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strings"
)

// DocumentsS3Config is an S3-compatible bucket that keeps documents in place of the upload
// folder: DOCUMENTS_S3_ENDPOINT, DOCUMENTS_S3_BUCKET, DOCUMENTS_S3_REGION,
// DOCUMENTS_S3_ACCESS_KEY, DOCUMENTS_S3_SECRET_KEY (never log it), DOCUMENTS_S3_PREFIX and
// DOCUMENTS_S3_INSECURE. It is in use when Bucket is set.
type DocumentsS3Config struct {
	// Endpoint is the host and optional port of the S3 API, without a scheme.
	Endpoint string
	// Insecure is true when the endpoint is reached over plain HTTP. Production allows it only
	// for a loopback host.
	Insecure  bool
	Bucket    string
	Region    string // empty: the client asks the bucket for its region
	AccessKey string
	SecretKey string
	// Prefix starts every object key, without leading or trailing slashes; it may be empty.
	Prefix string
}

// Enabled reports whether documents are kept in an S3-compatible bucket.
func (c DocumentsS3Config) Enabled() bool {
	return c.Bucket != ""
}

// documentsS3Names are the settings of DocumentsS3Config; any of them set asks for the
// bucket, so that a half-written configuration never falls back to the upload folder.
var documentsS3Names = []string{
	"DOCUMENTS_S3_ENDPOINT", "DOCUMENTS_S3_BUCKET", "DOCUMENTS_S3_REGION",
	"DOCUMENTS_S3_ACCESS_KEY", "DOCUMENTS_S3_SECRET_KEY", "DOCUMENTS_S3_PREFIX",
	"DOCUMENTS_S3_INSECURE",
}

// loadDocumentsS3 reads the DOCUMENTS_S3_* settings. Errors never quote the keys, nor an
// endpoint that carries a user name or password.
func loadDocumentsS3(getenv func(string) string, production bool) (DocumentsS3Config, error) {
	anySet := false
	for _, name := range documentsS3Names {
		anySet = anySet || strings.TrimSpace(getenv(name)) != ""
	}
	if !anySet {
		return DocumentsS3Config{}, nil
	}

	s3 := DocumentsS3Config{
		Bucket:    strings.TrimSpace(getenv("DOCUMENTS_S3_BUCKET")),
		Region:    strings.TrimSpace(getenv("DOCUMENTS_S3_REGION")),
		AccessKey: strings.TrimSpace(getenv("DOCUMENTS_S3_ACCESS_KEY")),
		SecretKey: strings.TrimSpace(getenv("DOCUMENTS_S3_SECRET_KEY")),
		Prefix:    strings.Trim(strings.TrimSpace(getenv("DOCUMENTS_S3_PREFIX")), "/"),
	}
	if s3.Bucket == "" {
		return DocumentsS3Config{}, errors.New("DOCUMENTS_S3_BUCKET must be set when any " +
			"other DOCUMENTS_S3_ setting is")
	}
	if !validBucketName(s3.Bucket) {
		return DocumentsS3Config{}, fmt.Errorf("DOCUMENTS_S3_BUCKET must be a bucket name "+
			"(3 to 63 lower-case letters, digits, dots and hyphens), not %q", s3.Bucket)
	}
	if s3.AccessKey == "" || s3.SecretKey == "" {
		return DocumentsS3Config{}, errors.New("DOCUMENTS_S3_ACCESS_KEY and " +
			"DOCUMENTS_S3_SECRET_KEY must be set when DOCUMENTS_S3_BUCKET is")
	}
	if !validKeyPrefix(s3.Prefix) {
		return DocumentsS3Config{}, fmt.Errorf("DOCUMENTS_S3_PREFIX must be folder names "+
			"of letters, digits, '.', '_' and '-' separated by '/', not %q", s3.Prefix)
	}
	insecure, err := parseBool("DOCUMENTS_S3_INSECURE", getenv("DOCUMENTS_S3_INSECURE"), false)
	if err != nil {
		return DocumentsS3Config{}, err
	}
	s3.Endpoint, s3.Insecure, err = parseS3Endpoint(getenv("DOCUMENTS_S3_ENDPOINT"), insecure)
	if err != nil {
		return DocumentsS3Config{}, err
	}
	if production && s3.Insecure && !loopbackHost(s3.Endpoint) {
		return DocumentsS3Config{}, errors.New("DOCUMENTS_S3_ENDPOINT must use https in " +
			"production; plain HTTP (DOCUMENTS_S3_INSECURE=true) is only for a loopback host")
	}
	return s3, nil
}

// parseS3Endpoint reads host[:port], https://host[:port] or http://host[:port] and returns
// the host and port and whether the connection is plain HTTP. Plain HTTP must be asked for
// with DOCUMENTS_S3_INSECURE=true, whichever way the endpoint is written.
func parseS3Endpoint(value string, insecure bool) (string, bool, error) {
	value = strings.TrimSpace(value)
	if value == "" {
		return "", false, errors.New("DOCUMENTS_S3_ENDPOINT must be set when DOCUMENTS_S3_BUCKET is")
	}
	if !strings.Contains(value, "://") {
		scheme := "https://"
		if insecure {
			scheme = "http://"
		}
		value = scheme + value
	}
	parsed, err := url.Parse(value)
	if err != nil || parsed.User != nil {
		// The value may hold a key: do not quote it.
		return "", false, errors.New("DOCUMENTS_S3_ENDPOINT must be a host and port or an " +
			"http(s) URL without a user name, password, path or query")
	}
	if parsed.Host == "" || parsed.Hostname() == "" || (parsed.Path != "" && parsed.Path != "/") ||
		parsed.RawQuery != "" || parsed.Fragment != "" {
		return "", false, fmt.Errorf("DOCUMENTS_S3_ENDPOINT must be a host and port or an "+
			"http(s) URL without a path or query, not %q", value)
	}
	switch {
	case parsed.Scheme == "https" && insecure:
		return "", false, errors.New("DOCUMENTS_S3_ENDPOINT uses https but " +
			"DOCUMENTS_S3_INSECURE=true asks for plain HTTP; drop one of them")
	case parsed.Scheme == "http" && !insecure:
		return "", false, errors.New("DOCUMENTS_S3_ENDPOINT uses plain HTTP; set " +
			"DOCUMENTS_S3_INSECURE=true to allow it (loopback only in production)")
	case parsed.Scheme != "https" && parsed.Scheme != "http":
		return "", false, fmt.Errorf("DOCUMENTS_S3_ENDPOINT must use https, not %q", parsed.Scheme)
	}
	return parsed.Host, insecure, nil
}

func loopbackHost(hostPort string) bool {
	host := hostPort
	if split, _, err := net.SplitHostPort(hostPort); err == nil {
		host = split
	}
	if host == "localhost" {
		return true
	}
	addr, err := netip.ParseAddr(strings.Trim(host, "[]"))
	return err == nil && addr.IsLoopback()
}

// validBucketName follows S3's rules for new buckets, less the rarer ones (no IP address
// form, no "xn--" start), which the store itself enforces.
func validBucketName(name string) bool {
	if len(name) < 3 || len(name) > 63 || strings.Contains(name, "..") {
		return false
	}
	for i := 0; i < len(name); i++ {
		b := name[i]
		edge := i == 0 || i == len(name)-1
		switch {
		case 'a' <= b && b <= 'z', '0' <= b && b <= '9':
		case (b == '.' || b == '-') && !edge:
		default:
			return false
		}
	}
	return true
}

// validKeyPrefix accepts folder names made of safe characters, never "." or "..", so that the
// prefix cannot climb out of itself in a store that maps keys to paths.
func validKeyPrefix(prefix string) bool {
	if prefix == "" {
		return true
	}
	for _, segment := range strings.Split(prefix, "/") {
		if segment == "" || segment == "." || segment == ".." {
			return false
		}
		for _, r := range segment {
			if !('a' <= r && r <= 'z') && !('A' <= r && r <= 'Z') && !('0' <= r && r <= '9') &&
				r != '.' && r != '_' && r != '-' {
				return false
			}
		}
	}
	return true
}
