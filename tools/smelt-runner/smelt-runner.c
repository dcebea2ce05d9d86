/* smelt-runner.c - run a compiled model on .npy files, with nothing but the
 * runtime: the program `smelt run --exec` starts where the model's code must
 * run elsewhere (under qemu-aarch64, on a board over ssh).
 *
 *   smelt-runner MODEL.so OUTDIR IN_0.npy IN_1.npy ...
 *
 * One .npy file per input slot of the model's signature, in order (a
 * sequence, optional or string value spans several slots; see
 * smelt_slot_role). Writes OUTDIR/out_N.npy for each output slot. Exit status
 * 0 on success; otherwise 1 with the runtime's message on stderr. C99, for
 * any target the runtime builds for; with SMELT_RUNNER_LINKED_MODEL, firmware
 * whose model is linked in (test/firmware), its files reached through
 * semihosting.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smelt/runtime.h"

#ifdef SMELT_BARE_METAL
#include <malloc.h> /* memalign: newlib has no posix_memalign */
#endif

#ifdef SMELT_RUNNER_LINKED_MODEL
/* Firmware: the model is linked into this program, compiled with
 * --name model; the library argument is ignored. */
extern const smelt_model_info model_info;
#define open_model(path, out) ((void)(path), smelt_model_from_info(&model_info, (out)))
#else
#define open_model(path, out) smelt_model_open((path), (out))
#endif

/* .npy descr of each smelt_dtype (little-endian), "" for none. */
static const char *descr_of(int32_t dtype) {
  switch (dtype) {
  case SMELT_DTYPE_FLOAT32: return "<f4";
  case SMELT_DTYPE_FLOAT64: return "<f8";
  case SMELT_DTYPE_FLOAT16: return "<f2";
  case SMELT_DTYPE_BFLOAT16: return "<u2"; /* bit patterns, as smelt run keeps them */
  case SMELT_DTYPE_INT8: return "|i1";
  case SMELT_DTYPE_UINT8: return "|u1";
  case SMELT_DTYPE_INT16: return "<i2";
  case SMELT_DTYPE_UINT16: return "<u2";
  case SMELT_DTYPE_INT32: return "<i4";
  case SMELT_DTYPE_UINT32: return "<u4";
  case SMELT_DTYPE_INT64: return "<i8";
  case SMELT_DTYPE_UINT64: return "<u8";
  case SMELT_DTYPE_BOOL: return "|b1";
  default: return "";
  }
}

static int fail(const char *what, const char *detail) {
  fprintf(stderr, "smelt-runner: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
  return 1;
}

/* A tensor read from a .npy file; data and dims are malloc'ed. */
typedef struct {
  void *data;
  int64_t dims[16];
  int32_t rank;
  char descr[8];
} npy_array;

/* Reads a version 1 or 2 .npy file written by smelt (C order, little-endian).
 * Returns 0 on success. */
static int read_npy(const char *path, npy_array *out) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return -1;
  unsigned char magic[8];
  int status = -1;
  char *header = NULL;
  if (fread(magic, 1, 8, f) != 8 || memcmp(magic, "\x93NUMPY", 6) != 0)
    goto done;
  size_t header_len;
  if (magic[6] == 1) {
    unsigned char len[2];
    if (fread(len, 1, 2, f) != 2)
      goto done;
    header_len = len[0] | (size_t)len[1] << 8;
  } else {
    unsigned char len[4];
    if (fread(len, 1, 4, f) != 4)
      goto done;
    header_len = len[0] | (size_t)len[1] << 8 | (size_t)len[2] << 16 | (size_t)len[3] << 24;
  }
  header = malloc(header_len + 1);
  if (!header || fread(header, 1, header_len, f) != header_len)
    goto done;
  header[header_len] = 0;
  const char *d = strstr(header, "'descr': '");
  const char *s = strstr(header, "'shape': (");
  if (!d || !s || strstr(header, "'fortran_order': True"))
    goto done;
  d += 10;
  size_t n = strcspn(d, "'");
  if (n >= sizeof out->descr)
    goto done;
  memcpy(out->descr, d, n);
  out->descr[n] = 0;
  out->rank = 0;
  int64_t count = 1;
  for (s += 10; *s && *s != ')';) {
    char *end;
    long long dim = strtoll(s, &end, 10);
    if (end == s) {
      ++s;
      continue;
    }
    if (out->rank == 16 || dim < 0)
      goto done;
    out->dims[out->rank++] = dim;
    count *= dim;
    s = end;
  }
  size_t elem = (size_t)atoi(out->descr + 2);
  size_t bytes = (size_t)count * elem;
  out->data = malloc(bytes ? bytes : 1);
  if (!out->data || fread(out->data, 1, bytes, f) != bytes)
    goto done;
  status = 0;
done:
  free(header);
  fclose(f);
  return status;
}

static int write_npy(const char *path, const smelt_tensor *t) {
  char header[256];
  int len = snprintf(header, sizeof header, "{'descr': '%s', 'fortran_order': False, 'shape': (",
                     descr_of(t->dtype));
  for (int32_t i = 0; i < t->rank; ++i)
    len += snprintf(header + len, sizeof header - (size_t)len, "%lld%s", (long long)t->dims[i],
                    t->rank == 1 ? "," : (i + 1 < t->rank ? ", " : ""));
  len += snprintf(header + len, sizeof header - (size_t)len, "), }");
  int pad = (64 - (10 + len + 1) % 64) % 64;
  FILE *f = fopen(path, "wb");
  if (!f)
    return -1;
  unsigned char prefix[10] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, 0, 0};
  prefix[8] = (unsigned char)((len + pad + 1) & 0xff);
  prefix[9] = (unsigned char)((len + pad + 1) >> 8);
  fwrite(prefix, 1, 10, f);
  fwrite(header, 1, (size_t)len, f);
  for (int i = 0; i < pad; ++i)
    fputc(' ', f);
  fputc('\n', f);
  size_t count = 1;
  for (int32_t i = 0; i < t->rank; ++i)
    count *= (size_t)t->dims[i];
  size_t bytes = count * smelt_dtype_size(t->dtype);
  int ok = fwrite(t->data, 1, bytes, f) == bytes;
  return fclose(f) == 0 && ok ? 0 : -1;
}

int main(int argc, char **argv) {
  if (argc < 3)
    return fail("usage: smelt-runner MODEL.so OUTDIR INPUT.npy...", NULL);
  smelt_model *model = NULL;
  smelt_status *status = open_model(argv[1], &model);
  if (status)
    return fail(smelt_status_message(status), NULL);
  size_t num_inputs = smelt_model_num_inputs(model);
  size_t num_outputs = smelt_model_num_outputs(model);
  if ((size_t)(argc - 3) != num_inputs)
    return fail("wrong number of input files for the model's input slots", argv[1]);
  smelt_tensor *in = calloc(num_inputs + 1, sizeof *in);
  npy_array *arrays = calloc(num_inputs + 1, sizeof *arrays);
  smelt_tensor *out = calloc(num_outputs + 1, sizeof *out);
  if (!in || !arrays || !out)
    return fail("out of memory", NULL);
  for (size_t i = 0; i < num_inputs; ++i) {
    if (read_npy(argv[3 + i], &arrays[i]) != 0)
      return fail("cannot read .npy file", argv[3 + i]);
    int32_t dtype = smelt_model_input(model, i)->dtype;
    if (strcmp(arrays[i].descr, descr_of(dtype)) != 0)
      return fail("input file's dtype differs from the model's slot", argv[3 + i]);
    in[i].data = arrays[i].data;
    in[i].dtype = dtype;
    in[i].rank = arrays[i].rank;
    in[i].dims = arrays[i].dims;
  }
#ifdef SMELT_BARE_METAL
  /* A bare-metal runtime takes no heap: the firmware (here, this program)
   * gives it the output buffers and the workspace. */
  for (size_t i = 0; i < num_outputs; ++i) {
    const smelt_tensor_info *slot = smelt_model_output(model, i);
    size_t bytes = smelt_dtype_size(slot->dtype);
    for (int32_t d = 0; d < slot->rank; ++d)
      bytes *= (size_t)slot->dims[d];
    out[i].data = malloc(bytes ? bytes : 1);
    out[i].dtype = slot->dtype;
    out[i].rank = slot->rank;
    out[i].dims = slot->dims;
    if (!out[i].data)
      return fail("out of memory", NULL);
  }
  size_t workspace_size = (size_t)smelt_model_workspace_size(model);
  void *workspace = workspace_size
                        ? memalign((size_t)smelt_model_workspace_align(model), workspace_size)
                        : NULL;
  if (workspace_size && !workspace)
    return fail("out of memory", NULL);
  status = smelt_model_run_with_workspace(model, in, num_inputs, out, num_outputs, workspace,
                                          workspace_size);
  free(workspace);
#else
  status = smelt_model_run(model, in, num_inputs, out, num_outputs);
#endif
  if (status)
    return fail(smelt_status_message(status), NULL);
  for (size_t i = 0; i < num_outputs; ++i) {
    char path[4096];
    snprintf(path, sizeof path, "%s/out_%lu.npy", argv[2], (unsigned long)i);
    if (write_npy(path, &out[i]) != 0)
      return fail("cannot write", path);
#ifdef SMELT_BARE_METAL
    free(out[i].data);
#else
    smelt_free(out[i].data);
#endif
  }
  for (size_t i = 0; i < num_inputs; ++i)
    free(arrays[i].data);
  free(arrays);
  free(in);
  free(out);
  smelt_model_close(model);
  return 0;
}
