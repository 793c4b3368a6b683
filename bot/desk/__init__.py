"""The kelurahan's desk on the web (`/desk`): the staff console, another moderation channel over the same
services. This package holds its accounts and login: argon2 passwords with a lock-out kept in the database
(`accounts`), server-side sessions and CSRF tokens (`sessions`), the `current_staff` dependency (`auth`),
and the pages (`routes`)."""
