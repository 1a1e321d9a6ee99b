-- Settings an admin changes while the app runs. There is exactly one row.
CREATE TABLE app_settings (
    singleton         boolean     PRIMARY KEY DEFAULT true CHECK (singleton),
    registration_open boolean     NOT NULL DEFAULT true,
    updated_at        timestamptz NOT NULL DEFAULT now()
);
INSERT INTO app_settings (singleton) VALUES (true);
