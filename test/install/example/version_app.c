/* Links the installed shared runtime and prints its version. */
#include <stdio.h>

#include "smelt/runtime.h"

int main(void) {
  printf("smelt runtime %s\n", smelt_version_string());
  return smelt_abi_version() == SMELT_ABI_VERSION ? 0 : 1;
}
