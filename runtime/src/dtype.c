/* dtype.c - sizes and names of the element types in smelt/model_abi.h.
 *
 * A dtype with size 0 is one no compiled model can take or return (strings,
 * undefined, unknown numbers); the loader rejects signatures that use one.
 */
#include "internal.h"

size_t smelt_dtype_size(int32_t dtype) {
  switch (dtype) {
  case SMELT_DTYPE_BOOL:
  case SMELT_DTYPE_UINT8:
  case SMELT_DTYPE_INT8: return 1;
  case SMELT_DTYPE_UINT16:
  case SMELT_DTYPE_INT16:
  case SMELT_DTYPE_FLOAT16:
  case SMELT_DTYPE_BFLOAT16: return 2;
  case SMELT_DTYPE_FLOAT32:
  case SMELT_DTYPE_INT32:
  case SMELT_DTYPE_UINT32: return 4;
  case SMELT_DTYPE_FLOAT64:
  case SMELT_DTYPE_INT64:
  case SMELT_DTYPE_UINT64: return 8;
  default: return 0;
  }
}

const char *smelt_dtype_name(int32_t dtype) {
  switch (dtype) {
  case SMELT_DTYPE_UNDEFINED: return "undefined";
  case SMELT_DTYPE_FLOAT32: return "float32";
  case SMELT_DTYPE_UINT8: return "uint8";
  case SMELT_DTYPE_INT8: return "int8";
  case SMELT_DTYPE_UINT16: return "uint16";
  case SMELT_DTYPE_INT16: return "int16";
  case SMELT_DTYPE_INT32: return "int32";
  case SMELT_DTYPE_INT64: return "int64";
  case SMELT_DTYPE_STRING: return "string";
  case SMELT_DTYPE_BOOL: return "bool";
  case SMELT_DTYPE_FLOAT16: return "float16";
  case SMELT_DTYPE_FLOAT64: return "float64";
  case SMELT_DTYPE_UINT32: return "uint32";
  case SMELT_DTYPE_UINT64: return "uint64";
  case SMELT_DTYPE_BFLOAT16: return "bfloat16";
  default: return "unknown";
  }
}
