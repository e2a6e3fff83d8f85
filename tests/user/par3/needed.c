// needed.c: libpar3needed.so, a library par3dyn names (DT_NEEDED), so its thread-local
// variables sit in the static TLS block: one read with the initial-exec model, one with
// the global-dynamic model (through __tls_get_addr). Both start non-zero (.tdata), so a
// thread whose block was not copied from the image shows it.
#include <stdint.h>

__attribute__((tls_model("initial-exec"))) __thread uint64_t needed_ie = 11;
__attribute__((tls_model("global-dynamic"))) __thread uint64_t needed_gd = 13;

// Adds to this thread's two counters; returns their sum, as the thread sees them.
uint64_t needed_bump(uint64_t by)
{
    needed_ie += by;
    needed_gd += 2 * by;
    return needed_ie + needed_gd;
}

uint64_t needed_read(void)
{
    return needed_ie * 1000 + needed_gd;
}
