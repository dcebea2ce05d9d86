/* sbrk.c - newlib's heap for the test firmware: from the end of the image
 * (`end`) up to __heap_limit, both set by the board's linker script. Used
 * instead of libgloss's, which trusts the semihosting host's idea of where
 * RAM is. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>

extern char end[];
extern char __heap_limit[];

void *_sbrk(ptrdiff_t increment) {
  static char *brk = end;
  if (increment < 0 ? (size_t)-increment > (size_t)(brk - end)
                    : (size_t)increment > (size_t)(__heap_limit - brk)) {
    errno = ENOMEM;
    return (void *)-1;
  }
  char *previous = brk;
  brk += increment;
  return previous;
}
