//===- HeaderEmitter.cpp - C header for a compiled model object -----------===//
#include "compiler/emit/HeaderEmitter.h"
#include "compiler/emit/DisplayText.h"

#include "smelt/runtime.h"

#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"

#include <cctype>
#include <map>
#include <set>
#include <sstream>

namespace smelt {

namespace {

const char *cType(int32_t dtype) {
  switch (dtype) {
  case SMELT_DTYPE_FLOAT32: return "float";
  case SMELT_DTYPE_FLOAT64: return "double";
  case SMELT_DTYPE_INT8: return "int8_t";
  case SMELT_DTYPE_INT16: return "int16_t";
  case SMELT_DTYPE_INT32: return "int32_t";
  case SMELT_DTYPE_INT64: return "int64_t";
  case SMELT_DTYPE_UINT8: return "uint8_t";
  case SMELT_DTYPE_UINT16: return "uint16_t";
  case SMELT_DTYPE_UINT32: return "uint32_t";
  case SMELT_DTYPE_UINT64: return "uint64_t";
  case SMELT_DTYPE_BOOL: return "bool";
  default: return "uint16_t"; // float16 / bfloat16 bit patterns
  }
}

/// A C identifier made from an ONNX value name.
std::string upper(const std::string &text) {
  std::string out;
  for (char c : text)
    out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string identifier(const std::string &name, size_t index, const char *kind) {
  std::string id;
  for (char c : name)
    id += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  if (id.empty() || std::isdigit(static_cast<unsigned char>(id[0])))
    id = std::string(kind) + std::to_string(index) + "_" + id;
  return id;
}

/// `text` made safe inside a C block comment: control bytes escaped, "*/"
/// broken up, invalid UTF-8 replaced, so that no model string can end the
/// comment and inject code.
std::string commentText(llvm::StringRef text) {
  std::string valid = validUtf8(text);
  std::string out;
  for (size_t i = 0; i < valid.size(); ++i) {
    auto byte = static_cast<unsigned char>(valid[i]);
    if (valid[i] == '*' && i + 1 < valid.size() && valid[i + 1] == '/')
      out += "*\\";
    else if (valid[i] == '/' && i + 1 < valid.size() && valid[i + 1] == '*')
      out += "/\\";
    else if (valid[i] == '\n')
      out += "\\n";
    else if (byte < 0x20 || byte == 0x7f)
      out += llvm::formatv("\\x{0:x-2}", byte).str();
    else
      out += valid[i];
  }
  return out;
}

/// "x: [1,?] float32", plus the role for a slot that is part of a sequence,
/// optional or string tensor graph value: "s: [?] float32 (sequence_data)".
std::string slotComment(const TensorSignature &t) {
  std::string s = commentText(t.name) + ": [";
  for (size_t i = 0; i < t.dims.size(); ++i) {
    std::string name = i < t.dimNames.size() ? commentText(t.dimNames[i]) : "";
    s += (i ? "," : "") + dimText(t.dims[i], name);
  }
  s += "] " + std::string(smelt_dtype_name(t.dtype));
  if (t.role != SMELT_ROLE_TENSOR)
    s += " (" + std::string(smelt_role_name(t.role)) + ")";
  return s;
}

/// A parameter name: the slot's value name, plus its role where the value
/// spans several slots (which then share that name).
std::string parameterName(const TensorSignature &t, size_t index, const char *kind) {
  std::string name = t.name;
  if (t.role != SMELT_ROLE_TENSOR)
    name += std::string("_") + smelt_role_name(t.role);
  return identifier(name, index, kind);
}

/// The model's metadata as comment lines (" * ...\n").
std::string metadataComment(const ModelSignature &sig) {
  const ModelMetadata &m = sig.metadata;
  std::ostringstream os;
  os << " *\n * ONNX model: producer " << commentText(m.producerName) << " "
     << commentText(m.producerVersion) << ", domain " << commentText(m.domain)
     << ", model version " << m.modelVersion << ", opsets";
  for (const auto &[domain, version] : m.opsets)
    os << " " << (domain.empty() ? "ai.onnx" : commentText(domain)) << ":" << version;
  os << "\n";
  if (!m.docString.empty())
    os << " * Description: " << commentText(m.docString) << "\n";
  if (!m.graphDocString.empty())
    os << " * Graph description: " << commentText(m.graphDocString) << "\n";
  const BuildInfo &b = sig.build;
  os << " * Compiled by " << commentText(b.compiler) << " for " << commentText(b.triple)
     << " (cpu " << commentText(b.cpu) << "), options: " << commentText(b.options) << "\n";
  for (const auto *slots : {&sig.inputs, &sig.outputs})
    for (size_t i = 0; i < slots->size(); ++i) {
      const TensorSignature &t = (*slots)[i];
      if (!t.docString.empty() && (i == 0 || (*slots)[i - 1].name != t.name))
        os << " * " << commentText(t.name) << ": " << commentText(t.docString) << "\n";
    }
  if (!m.props.empty()) {
    os << " * Metadata (" << m.props.size() << " entries):\n";
    for (const auto &[key, value] : m.props)
      os << " *   " << commentText(key) << ": " << commentText(value) << "\n";
  }
  return os.str();
}

/// Each slot's rank and dims as macros, PREFIX_INPUT_<NAME>_RANK,
/// _DIM<d> (SMELT_DYNAMIC_DIM where dynamic) and, for static shapes,
/// _ELEMENTS; and PREFIX_DIM_<NAME> for a named dim with one static size.
std::string dimDefines(const ModelSignature &sig, const std::string &guard) {
  std::ostringstream os;
  std::set<std::string> used;
  std::map<std::string, std::set<int64_t>> namedSizes;
  auto define = [&](const TensorSignature &t, size_t index, const char *kind) {
    std::string base = guard + "_" + upper(kind) + "_" + upper(parameterName(t, index, kind));
    if (!used.insert(base).second)
      base += "_" + std::to_string(index); // two names that spell the same identifier
    os << "#define " << base << "_RANK " << t.dims.size() << "\n";
    bool isStatic = true;
    for (size_t d = 0; d < t.dims.size(); ++d) {
      std::string name = d < t.dimNames.size() ? t.dimNames[d] : "";
      os << "#define " << base << "_DIM" << d << " ";
      if (t.dims[d] < 0)
        os << "SMELT_DYNAMIC_DIM";
      else
        os << t.dims[d];
      if (!name.empty())
        os << " /* " << commentText(name) << " */";
      os << "\n";
      isStatic &= t.dims[d] >= 0;
      if (!name.empty())
        namedSizes[name].insert(t.dims[d]);
    }
    if (isStatic)
      os << "#define " << base << "_ELEMENTS " << t.numElements() << "\n";
  };
  for (size_t i = 0; i < sig.inputs.size(); ++i)
    define(sig.inputs[i], i, "input");
  for (size_t i = 0; i < sig.outputs.size(); ++i)
    define(sig.outputs[i], i, "output");
  for (const auto &[name, sizes] : namedSizes)
    if (sizes.size() == 1 && *sizes.begin() >= 0) {
      std::string macro = guard + "_DIM_" + upper(identifier(name, 0, "dim"));
      if (used.insert(macro).second)
        os << "#define " << macro << " " << *sizes.begin() << "\n";
    }
  return os.str();
}

} // namespace

std::string emitCHeader(const ModelSignature &sig, const std::string &prefix,
                        const WorkspacePlan &workspace, const std::string &device) {
  std::string guard = upper(prefix);
  std::ostringstream os;
  os << "/* " << prefix << ".h - generated by smelt; declares the compiled model '"
     << commentText(sig.graphName) << "'.\n" << metadataComment(sig) << " */\n";
  os << "#ifndef " << guard << "_H\n#define " << guard << "_H\n\n";
  os << "#include <stdbool.h>\n#include <stdint.h>\n#include \"smelt/model_abi.h\"\n\n";
  os << "#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n";
  os << "/** Signature and metadata as data (names, dtypes, dims, roles, dim names,\n"
     << " *  ONNX metadata, build facts); see smelt/model_abi.h. */\n";
  os << "extern const smelt_model_info " << prefix << "_info;\n\n";
  os << "/** Architecture and CPU features the code needs (\"x86_64 avx2 fma ...\"); pass it\n"
     << " *  to smelt_check_isa() before the first call on an unknown machine. */\n";
  os << "extern const char " << prefix << "_isa[];\n\n";
  os << "/** Generic entry point taking a smelt_call. Its slots, in order (a sequence,\n"
     << " *  optional or string tensor graph value spans several; see smelt_slot_role):\n";
  for (const TensorSignature &in : sig.inputs)
    os << " *  input  " << slotComment(in) << "\n";
  for (const TensorSignature &out : sig.outputs)
    os << " *  output " << slotComment(out) << "\n";
  os << " */\n";
  os << "int32_t " << prefix << "_entry(const smelt_call *call);\n\n";
  bool dynamicDims = sig.hasDynamicDims();
  if (!device.empty())
    os << "/** Bytes and alignment of the model's workspace in the GPU's memory, planned at\n"
       << " *  compile time (0: none); the runtime allocates it on the device and keeps it\n"
       << " *  with the model. */\n";
  else if (dynamicDims)
    os << "/** Bytes and alignment of the workspace for the model's intermediate values of\n"
       << " *  static sizes, planned at compile time (0: none). Pass it as\n"
       << " *  smelt_call.workspace; a call that gives none, or too small a one, makes "
       << prefix << "_entry\n"
       << " *  allocate one for that run. */\n";
  else
    os << "/** Bytes and alignment of the workspace " << prefix
       << "_run needs for the model's intermediate\n"
       << " *  values, planned at compile time (0: none). Firmware can reserve it statically\n"
       << " *  (a C array needs at least one byte):\n"
       << " *    static uint8_t ws[" << guard << "_WORKSPACE_SIZE > 0 ? " << guard
       << "_WORKSPACE_SIZE : 1]\n"
       << " *        __attribute__((aligned(" << guard << "_WORKSPACE_ALIGN))); */\n";
  os << "#define " << guard << "_WORKSPACE_SIZE " << workspace.size << "u\n";
  os << "#define " << guard << "_WORKSPACE_ALIGN " << workspace.align << "u\n\n";
  os << "/* Rank and dims of each slot (SMELT_DYNAMIC_DIM: set at run time), with the\n"
     << " * model's name for a dim in a comment; a named dim of one static size is\n"
     << " * also " << guard << "_DIM_<NAME>. */\n"
     << dimDefines(sig, guard) << "\n";
  if (!device.empty()) {
    // The entry point takes the GPU from the runtime: no typed entry.
    os << "/* The model runs on a GPU (" << device << "): wrap it with the Smelt runtime's\n"
       << " * smelt_model_from_info(&" << prefix
       << "_info, &model), which loads its kernels through the\n"
       << " * GPU's driver and uploads its weights, then call smelt_model_run; " << prefix
       << "_entry\n * refuses a call that lends it no device. */\n\n"
       << "#ifdef __cplusplus\n}\n#endif\n\n#endif /* " << guard << "_H */\n";
    return os.str();
  }
  if (dynamicDims) {
    // Dims known only at run time travel in the smelt_call: no typed entry.
    os << "/* The model has dynamic dims: call it through " << prefix
       << "_entry or the runtime. */\n\n#ifdef __cplusplus\n}\n#endif\n\n#endif /* " << guard
       << "_H */\n";
    return os.str();
  }
  os << "/** Runs the model on dense row-major buffers, one per slot listed above, with\n"
     << " *  `workspace` pointing to " << guard << "_WORKSPACE_SIZE bytes aligned to "
     << guard << "_WORKSPACE_ALIGN\n"
     << " *  (NULL when that size is 0); returns 0 on success. Calls no malloc. Reentrant:\n"
     << " *  concurrent calls with distinct output buffers and workspaces are safe. */\n";
  os << "int32_t " << prefix << "_run(";
  bool first = true;
  for (size_t i = 0; i < sig.inputs.size(); ++i) {
    os << (first ? "" : ", ") << "const " << cType(sig.inputs[i].dtype) << " *"
       << parameterName(sig.inputs[i], i, "input");
    first = false;
  }
  for (size_t i = 0; i < sig.outputs.size(); ++i) {
    os << (first ? "" : ", ") << cType(sig.outputs[i].dtype) << " *"
       << parameterName(sig.outputs[i], i, "output");
    first = false;
  }
  os << (first ? "" : ", ") << "void *workspace";
  os << ");\n\n#ifdef __cplusplus\n}\n#endif\n\n#endif /* " << guard << "_H */\n";
  return os.str();
}

} // namespace smelt
