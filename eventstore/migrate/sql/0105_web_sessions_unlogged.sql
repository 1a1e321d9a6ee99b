-- Sessions are rewritten on almost every request (Fiber's CSRF middleware
-- extends its token each time). Logged, each of those commits waits for a
-- WAL flush; unlogged, it does not. What is lost on a crash is only that
-- everybody signs in again, never anything of the books.
ALTER TABLE web_sessions SET UNLOGGED;
