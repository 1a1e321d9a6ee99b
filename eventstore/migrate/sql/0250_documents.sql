-- Read models of the PDF documents kept with the books. A document's bytes
-- live in the document store under UPLOAD_FOLDER/users/<user_id>/pdfs/
-- <sha256>.pdf (or another store); these tables say what the books know of
-- them. A user holds a given file (by SHA-256) at most once.
CREATE TABLE documents (
    user_id       uuid   NOT NULL,
    document_id   uuid   NOT NULL,
    sha256        text   NOT NULL,
    size_bytes    bigint NOT NULL,
    name          text   NOT NULL,
    added_version bigint NOT NULL,
    CONSTRAINT documents_pkey PRIMARY KEY (user_id, document_id)
);
CREATE UNIQUE INDEX documents_sha256_idx ON documents (user_id, sha256);

-- document_links attaches documents to transactions.
CREATE TABLE document_links (
    user_id          uuid   NOT NULL,
    document_id      uuid   NOT NULL,
    transaction_id   uuid   NOT NULL,
    attached_version bigint NOT NULL,
    CONSTRAINT document_links_pkey PRIMARY KEY (user_id, document_id, transaction_id)
);
CREATE INDEX document_links_transaction_idx ON document_links (user_id, transaction_id, attached_version);
