/* version.c - the runtime's version and the model ABI it implements.
 *
 * These functions report what the library was built as, which lets an
 * application compare it with the SMELT_VERSION_NUMBER it was compiled
 * against.
 */
#include "internal.h"

#define SMELT_STR2(x) #x
#define SMELT_STR(x) SMELT_STR2(x)

uint32_t smelt_abi_version(void) { return SMELT_ABI_VERSION; }

unsigned smelt_version_number(void) { return SMELT_VERSION_NUMBER; }

const char *smelt_version_string(void) {
  return SMELT_STR(SMELT_RUNTIME_VERSION_MAJOR) "." SMELT_STR(
      SMELT_RUNTIME_VERSION_MINOR) "." SMELT_STR(SMELT_RUNTIME_VERSION_PATCH);
}
