/*
 * store_schema.h - access to the ordered list of schema migrations.
 */
#ifndef INSIGHT_STORE_SCHEMA_H
#define INSIGHT_STORE_SCHEMA_H

/* The SQL taking the schema from `from_version` to the next, or NULL. */
const char *ins_store__migration(int from_version);
/* How many migrations exist (= the newest schema version). */
int ins_store__migration_count(void);
/*
 * 1 when the migration from `from_version` rebuilds a table that other
 * tables' foreign keys name: dropping the old table would delete its rows
 * under the foreign keys' eyes, so it runs with them off (the rebuild
 * keeps every id, so every reference still holds).
 */
int ins_store__migration_rebuilds(int from_version);

/*
 * Give every fingerprint without a cause its cause (insight_cause() on its
 * signature and the file of a test that failed with it), adding the causes
 * not known yet. Run by the migration that made causes; the session writer
 * gives a fingerprint its cause as it records it (fingerprint_add in
 * store_write.c), the same way.
 */
#define INS_STORE_ASSIGN_CAUSES_SQL \
	"CREATE TEMP TABLE ins_fc (fp_id INTEGER PRIMARY KEY, sig TEXT NOT NULL, " \
	"  hash TEXT NOT NULL);" \
	"INSERT INTO temp.ins_fc SELECT fp_id, sig, insight_hash(sig) FROM (" \
	"  SELECT f.id AS fp_id, insight_cause(f.signature, " \
	"  (SELECT coalesce(t.file, t.nodeid) FROM result r JOIN test t ON t.id = r.test_id " \
	"   WHERE r.fingerprint_id = f.id LIMIT 1)) AS sig FROM fingerprint f " \
	"  WHERE f.cause_id IS NULL);" \
	"INSERT OR IGNORE INTO cause (hash, signature) " \
	"  SELECT hash, sig FROM temp.ins_fc ORDER BY fp_id;" \
	"UPDATE fingerprint SET cause_id = (SELECT c.id FROM temp.ins_fc x " \
	"  JOIN cause c ON c.hash = x.hash WHERE x.fp_id = fingerprint.id) " \
	"  WHERE cause_id IS NULL;" \
	"DROP TABLE temp.ins_fc;"

#endif
