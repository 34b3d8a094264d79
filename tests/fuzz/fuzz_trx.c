/*
 * fuzz_trx.c - fuzz target for the TRX XML parser.
 *
 * With clang and -DINSIGHT_FUZZ=ON this is a libFuzzer binary; seed it with
 * tests/fixtures/dotnet/. The ordinary build links it with the replay
 * driver. The sink checks what every result must honour
 * (ingest_invariants.h); a broken promise aborts.
 */
#include "ingest_invariants.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_parse(ins_ingest_trx, data, size);
	return 0;
}
