"""Django's PostgreSQL backend, with a password that may rotate under it (ENGINE "hadjango.postgres")."""
