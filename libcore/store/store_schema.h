/*
 * store_schema.h - access to the ordered list of schema migrations.
 */
#ifndef INSIGHT_STORE_SCHEMA_H
#define INSIGHT_STORE_SCHEMA_H

/* The SQL taking the schema from `from_version` to the next, or NULL. */
const char *ins_store__migration(int from_version);
/* How many migrations exist (= the newest schema version). */
int ins_store__migration_count(void);

#endif
