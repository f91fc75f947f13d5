/*
 * dname — wire-format domain names for the answering engine.
 *
 * Contract: every function works on uncompressed wire names (at most
 * DNAME_MAX bytes, at most DNAME_MAXLABELS labels) and never allocates.
 * dname_parse() reads a possibly compressed name from a packet and is safe
 * on hostile input (bounds, pointer loops, forward pointers, overlong
 * names).  A "key" is the lookup form of a name: its labels lowercased and
 * in reverse order (root side first), each as length + bytes, without the
 * terminating root byte.  Comparing keys with dname_key_cmp() is the
 * canonical DNS name order of RFC 4034 section 6.1, and the key of an
 * ancestor is a prefix of the key of every descendant.
 */
#ifndef RAIZ_DNSD_DNAME_H
#define RAIZ_DNSD_DNAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DNAME_MAX 255
#define DNAME_MAXLABELS 128

/* Parse the name at pkt[*pos]; write it uncompressed (case kept) to out
 * (DNAME_MAX bytes).  allow_ptr = false rejects compression pointers.
 * Returns the name length (>= 1) and moves *pos past the name in the
 * packet, or 0 when malformed. */
size_t dname_parse(const uint8_t *pkt, size_t len, size_t *pos, uint8_t *out, bool allow_ptr);

/* length of a well-formed uncompressed wire name */
size_t dname_len(const uint8_t *name);
/* length of the uncompressed wire name at p if it is well formed and
 * within len bytes (rdata of unknown origin), else 0 */
size_t dname_wire_len(const uint8_t *p, size_t len);
/* number of labels, the root label not counted */
unsigned dname_labels(const uint8_t *name);
/* build the key of name into key (DNAME_MAX bytes); returns its length */
size_t dname_key(const uint8_t *name, uint8_t *key);
/* canonical order of two keys: <0, 0, >0 */
int dname_key_cmp(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen);
/* length of the key prefix that holds the first n labels (root side) */
size_t dname_key_prefix(const uint8_t *key, size_t keylen, unsigned n);
/* number of labels in a key */
unsigned dname_key_labels(const uint8_t *key, size_t keylen);
/* true when name a equals b ignoring ASCII case */
bool dname_equal(const uint8_t *a, const uint8_t *b);
/* pointer to the suffix of name that has `labels` labels */
const uint8_t *dname_suffix(const uint8_t *name, unsigned labels);
/* lowercase copy of a wire name of length len */
void dname_lower(uint8_t *dst, const uint8_t *src, size_t len);
/* presentation format into buf (for logs); returns buf */
char *dname_str(const uint8_t *name, char *buf, size_t size);

#endif
