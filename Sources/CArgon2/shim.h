// Debian's libargon2 (libargon2-dev): the reference Argon2 implementation, used for Argon2id
// password hashing (RFC 9106). Only argon2id_hash_encoded and argon2id_verify are used.
#include <argon2.h>
