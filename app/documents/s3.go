package documents

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"time"

	"github.com/google/uuid"
	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// Limits of the S3 client. The library's defaults are a minute for a response's headers
// and ten retries; an upload or download waits for none of them longer than this.
const (
	s3DialTimeout           = 10 * time.Second
	s3TLSHandshakeTimeout   = 10 * time.Second
	s3ResponseHeaderTimeout = 30 * time.Second
	s3IdleConnTimeout       = time.Minute
	s3IdleConnsMax          = 16
	s3RetriesMax            = 3
	// s3OperationTimeout bounds one Keep, Open (with the reading of its file), Remove or
	// Check, retries included: FileSizeBytesMax takes under 15 s at 10 Mbit/s.
	s3OperationTimeout = 2 * time.Minute
)

// s3ContentType is the Content-Type of stored objects; they are all checked PDFs.
const s3ContentType = "application/pdf"

// s3CheckFolder is where Check writes its probe object: a name that no owner's UUID can be.
const s3CheckFolder = "folio-check"

// S3Options say where an S3 store keeps documents and how it signs in.
type S3Options struct {
	// Endpoint is the host and optional port of the S3 API, without a scheme.
	Endpoint string
	// Insecure sends requests over plain HTTP instead of HTTPS.
	Insecure bool
	// Region is the bucket's region; empty asks the store for it.
	Region    string
	Bucket    string
	AccessKey string
	// SecretKey signs the requests. It is never part of an error.
	SecretKey string
	// Prefix starts every object key; empty for none. It has no leading or trailing slash.
	Prefix string
	// SpoolFolder holds uploads on the local disk until they are kept; empty means the
	// system's temporary folder.
	SpoolFolder string
}

// S3 keeps documents in a bucket of an S3-compatible store, each in the object
// [<prefix>/]<owner id>/<sha256>. As with Folder, no part of a key comes from what a user
// typed or uploaded. Uploads wait in spool files on the local disk, where the Library hashes
// and checks them, and Keep sends them to the bucket in one PUT, so that an object is never
// seen half written.
type S3 struct {
	client      *minio.Client
	bucket      string
	prefix      string
	spoolFolder string
}

// NewS3 returns an S3 store for options. It does not contact the store: Check does.
func NewS3(options S3Options) (*S3, error) {
	if options.Endpoint == "" || options.Bucket == "" {
		return nil, errors.New("documents: the S3 endpoint and bucket must be set")
	}
	transport, err := minio.DefaultTransport(!options.Insecure)
	if err != nil {
		return nil, fmt.Errorf("documents: S3 transport: %w", err)
	}
	transport.DialContext = (&net.Dialer{Timeout: s3DialTimeout, KeepAlive: 30 * time.Second}).DialContext
	transport.TLSHandshakeTimeout = s3TLSHandshakeTimeout
	transport.ResponseHeaderTimeout = s3ResponseHeaderTimeout
	transport.IdleConnTimeout = s3IdleConnTimeout
	transport.MaxIdleConns = s3IdleConnsMax
	transport.MaxIdleConnsPerHost = s3IdleConnsMax

	client, err := minio.New(options.Endpoint, &minio.Options{
		Creds:      credentials.NewStaticV4(options.AccessKey, options.SecretKey, ""),
		Secure:     !options.Insecure,
		Region:     options.Region,
		Transport:  transport,
		MaxRetries: s3RetriesMax,
	})
	if err != nil {
		return nil, fmt.Errorf("documents: S3 client for %s: %w", options.Endpoint, err)
	}
	spoolFolder := options.SpoolFolder
	if spoolFolder == "" {
		spoolFolder = os.TempDir()
	}
	return &S3{client: client, bucket: options.Bucket, prefix: options.Prefix,
		spoolFolder: spoolFolder}, nil
}

func (s *S3) key(owner uuid.UUID, sha256 string) (string, error) {
	if !isHexDigest(sha256) {
		return "", fmt.Errorf("documents: %q is not a SHA-256 digest", sha256)
	}
	return s.withPrefix(owner.String() + "/" + sha256), nil
}

func (s *S3) withPrefix(key string) string {
	if s.prefix == "" {
		return key
	}
	return s.prefix + "/" + key
}

// Spool implements Storage: the spool file is in the spool folder, readable by the server's
// user only.
func (s *S3) Spool(_ context.Context, _ uuid.UUID) (*os.File, error) {
	file, err := os.CreateTemp(s.spoolFolder, spoolPattern)
	if err != nil {
		return nil, fmt.Errorf("create spool file: %w", err)
	}
	return file, nil
}

// Keep implements Storage: it uploads the spool file in one PUT and removes it.
func (s *S3) Keep(ctx context.Context, owner uuid.UUID, sha256 string, spool *os.File) error {
	key, err := s.key(owner, sha256)
	if err != nil {
		return err
	}
	info, err := spool.Stat()
	if err != nil {
		return fmt.Errorf("keep document: %w", err)
	}
	if _, err := spool.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("keep document: %w", err)
	}

	ctx, cancel := context.WithTimeout(ctx, s3OperationTimeout)
	defer cancel()
	_, err = s.client.PutObject(ctx, s.bucket, key, spool, info.Size(),
		minio.PutObjectOptions{ContentType: s3ContentType, DisableMultipart: true})
	if err != nil {
		return fmt.Errorf("keep document in bucket %s: %w", s.bucket, err)
	}

	// The object is stored. A spool file that cannot be removed is left in the temporary
	// folder: failing here would undo a document whose bytes are kept.
	_ = spool.Close()
	_ = os.Remove(spool.Name())
	return nil
}

// Open implements Storage. The returned file is read within ctx and s3OperationTimeout.
func (s *S3) Open(ctx context.Context, owner uuid.UUID, sha256 string) (io.ReadCloser, int64, error) {
	key, err := s.key(owner, sha256)
	if err != nil {
		return nil, 0, err
	}

	ctx, cancel := context.WithTimeout(ctx, s3OperationTimeout)
	object, err := s.client.GetObject(ctx, s.bucket, key, minio.GetObjectOptions{})
	if err != nil {
		cancel()
		return nil, 0, fmt.Errorf("open document in bucket %s: %w", s.bucket, err)
	}
	info, err := object.Stat() // sends the GET
	if err != nil {
		_ = object.Close()
		cancel()
		if minio.ToErrorResponse(err).Code == minio.NoSuchKey {
			return nil, 0, ErrNotStored
		}
		return nil, 0, fmt.Errorf("open document in bucket %s: %w", s.bucket, err)
	}
	return &s3Object{Object: object, cancel: cancel}, info.Size, nil
}

// s3Object ends the download's context when it is closed.
type s3Object struct {
	*minio.Object
	cancel context.CancelFunc
}

func (o *s3Object) Close() error {
	err := o.Object.Close()
	o.cancel()
	return err
}

// Remove implements Storage.
func (s *S3) Remove(ctx context.Context, owner uuid.UUID, sha256 string) error {
	key, err := s.key(owner, sha256)
	if err != nil {
		return err
	}

	ctx, cancel := context.WithTimeout(ctx, s3OperationTimeout)
	defer cancel()
	err = s.client.RemoveObject(ctx, s.bucket, key, minio.RemoveObjectOptions{})
	if err != nil && minio.ToErrorResponse(err).Code != minio.NoSuchKey {
		return fmt.Errorf("remove document from bucket %s: %w", s.bucket, err)
	}
	return nil
}

// Check makes sure that the bucket exists and that the store's keys may write, read and
// delete in it: it stores a small probe object under the prefix, reads it back and removes
// it.
func (s *S3) Check(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, s3OperationTimeout)
	defer cancel()
	exists, err := s.client.BucketExists(ctx, s.bucket)
	if err != nil {
		return fmt.Errorf("look for bucket %s: %w", s.bucket, err)
	}
	if !exists {
		return fmt.Errorf("bucket %s does not exist", s.bucket)
	}

	key := s.withPrefix(s3CheckFolder + "/" + uuid.NewString())
	probe := []byte("folio check " + key)
	_, err = s.client.PutObject(ctx, s.bucket, key, bytes.NewReader(probe), int64(len(probe)),
		minio.PutObjectOptions{DisableMultipart: true})
	if err != nil {
		return fmt.Errorf("write probe object %s in bucket %s: %w", key, s.bucket, err)
	}
	read, readErr := s.readAll(ctx, key, int64(len(probe)))
	removeErr := s.client.RemoveObject(ctx, s.bucket, key, minio.RemoveObjectOptions{})
	switch {
	case readErr != nil:
		return fmt.Errorf("read probe object %s in bucket %s: %w", key, s.bucket, readErr)
	case !bytes.Equal(read, probe):
		return fmt.Errorf("probe object %s in bucket %s read back other bytes", key, s.bucket)
	case removeErr != nil:
		return fmt.Errorf("remove probe object %s from bucket %s: %w", key, s.bucket, removeErr)
	}
	return nil
}

// readAll reads an object of at most sizeBytesMax bytes, and one more if it is longer.
func (s *S3) readAll(ctx context.Context, key string, sizeBytesMax int64) ([]byte, error) {
	object, err := s.client.GetObject(ctx, s.bucket, key, minio.GetObjectOptions{})
	if err != nil {
		return nil, err
	}
	defer object.Close()
	return io.ReadAll(io.LimitReader(object, sizeBytesMax+1))
}
