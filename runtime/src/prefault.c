/* prefault.c - a model's workspace mapped when it is opened, not in its first run.
 *
 * The first run of a model would fault in its workspace page by page as it
 * first writes each page (the kernel zeroes each one then). The runtime
 * makes the first spare workspace when the model is opened and has its
 * pages mapped in bulk there (MADV_POPULATE_WRITE, Linux 5.14): opening
 * plus the first run went from 9.1 to 8.4 ms on MobileNet V2 (its workspace
 * is 9.4 MiB). Transparent huge pages (MADV_HUGEPAGE) made that 6.1 ms, but
 * where the kernel compacts memory for them on the spot (the `defrag`
 * setting `madvise`, the default) ppocr's 25 MiB took 76 to 108 ms instead
 * of 45 one time in two: they are not asked for. Populating the library's
 * weights (MADV_POPULATE_READ) made the BERT encoder's first inference 2 ms
 * slower and is not done either. Where the kernel lacks MADV_POPULATE_WRITE,
 * madvise fails and the first run faults as before.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include "internal.h"

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

void smelt_prefault_buffer(void *buffer, size_t bytes) {
  long page = sysconf(_SC_PAGESIZE);
  if (!bytes || page <= 0 || (page & (page - 1)) != 0)
    return;
  /* The whole pages that hold [buffer, buffer + bytes). */
  uintptr_t mask = (uintptr_t)page - 1;
  uintptr_t start = (uintptr_t)buffer & ~mask;
  uintptr_t end = ((uintptr_t)buffer + bytes + mask) & ~mask;
  (void)madvise((void *)start, end - start, MADV_POPULATE_WRITE);
}
