//===- OnnxOdsGen.cpp - generate the onnx dialect's op records from libonnx ===//
//
// Writes one ODS record per standard-domain ONNX operator, taken from libonnx's
// schema registry at the canonical opset, so that the dialect holds every
// operator the opset defines without anyone writing them by hand. Inputs become
// operands (optional ones also accept `none`), attributes keep their ONNX names
// with their defaults, graph attributes become regions.
//
// Usage: onnx-ods-gen <opset> <output.td>
//
//===----------------------------------------------------------------------===//

#include <onnx/defs/schema.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace {

using onnx::AttributeProto;
using onnx::OpSchema;

/// ODS constraint for one ONNX element type name ("float", "uint8", ...).
std::string elementConstraint(const std::string &elem) {
  static const std::map<std::string, std::string> kMap = {
      {"float", "F32"},     {"double", "F64"},     {"float16", "F16"},
      {"bfloat16", "BF16"}, {"int8", "I8"},        {"int16", "I16"},
      {"int32", "I32"},     {"int64", "I64"},      {"uint8", "UI8"},
      {"uint16", "UI16"},   {"uint32", "UI32"},    {"uint64", "UI64"},
      {"bool", "I1"},       {"string", "Onnx_String"},
      {"complex64", "Complex<F32>"}, {"complex128", "Complex<F64>"}};
  auto it = kMap.find(elem);
  return it == kMap.end() ? "" : it->second;
}

/// Collects the ODS type constraints for a set of ONNX type strings such as
/// "tensor(float)", "seq(tensor(int64))" or "optional(seq(tensor(float)))".
std::string typeConstraint(const std::vector<std::string> &typeStrs, bool optional) {
  std::set<std::string> elems;
  bool seq = false, opt = false;
  for (const std::string &t : typeStrs) {
    if (t.rfind("tensor(", 0) == 0 || t.rfind("sparse_tensor(", 0) == 0) {
      std::string inner = t.substr(t.find('(') + 1);
      inner.pop_back();
      std::string c = elementConstraint(inner);
      if (!c.empty())
        elems.insert(c);
    } else if (t.rfind("seq(", 0) == 0) {
      seq = true;
    } else if (t.rfind("optional(", 0) == 0) {
      opt = true;
    }
  }
  std::vector<std::string> alts;
  if (!elems.empty()) {
    std::string list;
    for (const std::string &e : elems)
      list += (list.empty() ? "" : ", ") + e;
    alts.push_back("TensorOf<[" + list + "]>");
  }
  if (seq)
    alts.push_back("Onnx_AnySeq");
  if (opt)
    alts.push_back("Onnx_AnyOpt");
  if (optional)
    alts.push_back("NoneType");
  if (alts.empty())
    return "AnyType";
  if (alts.size() == 1)
    return alts[0];
  std::string out = "AnyTypeOf<[";
  for (size_t i = 0; i < alts.size(); ++i)
    out += (i ? ", " : "") + alts[i];
  return out + "]>";
}

/// The allowed type strings of a formal parameter: its constraint's list when
/// it names a type parameter, else the type string itself.
std::vector<std::string> allowedTypes(const OpSchema &schema,
                                      const OpSchema::FormalParameter &param) {
  for (const auto &tc : schema.typeConstraintParams())
    if (tc.type_param_str == param.GetTypeStr())
      return tc.allowed_type_strs;
  return {param.GetTypeStr()};
}

std::string escapeString(const std::string &s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\')
      out += '\\';
    out += c;
  }
  return out;
}

std::string floatLiteral(float f) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.9g", static_cast<double>(f));
  std::string s = buf;
  if (s.find_first_of(".eE") == std::string::npos)
    s += ".0";
  return s;
}

/// ODS attribute constraint for an ONNX attribute, with its default when the
/// schema gives one. Returns "" for graph attributes (they become regions).
std::string attributeConstraint(const OpSchema::Attribute &attr) {
  const AttributeProto &def = attr.default_value;
  bool hasDefault = !attr.required && def.has_type();
  switch (attr.type) {
  case AttributeProto::INT:
    return hasDefault ? "DefaultValuedAttr<Onnx_IntAttr, \"" + std::to_string(def.i()) + "\">"
                      : "Onnx_IntAttr";
  case AttributeProto::FLOAT:
    return hasDefault ? "DefaultValuedAttr<F32Attr, \"" + floatLiteral(def.f()) + "\">"
                      : "F32Attr";
  case AttributeProto::STRING:
    return hasDefault ? "DefaultValuedStrAttr<StrAttr, \"" + escapeString(def.s()) + "\">"
                      : "StrAttr";
  case AttributeProto::INTS: {
    if (!hasDefault)
      return "DenseI64ArrayAttr";
    std::string list;
    for (int64_t v : def.ints())
      list += (list.empty() ? "" : ", ") + std::to_string(v);
    return "DefaultValuedAttr<DenseI64ArrayAttr, \"{" + list + "}\">";
  }
  case AttributeProto::FLOATS: {
    if (!hasDefault)
      return "DenseF32ArrayAttr";
    std::string list;
    for (float v : def.floats())
      list += (list.empty() ? "" : ", ") + floatLiteral(v) + "f";
    return "DefaultValuedAttr<DenseF32ArrayAttr, \"{" + list + "}\">";
  }
  case AttributeProto::STRINGS:
    return "StrArrayAttr";
  case AttributeProto::TENSOR:
  case AttributeProto::SPARSE_TENSOR:
    return "ElementsAttr";
  case AttributeProto::TENSORS:
  case AttributeProto::SPARSE_TENSORS:
    return "TypedArrayAttrBase<ElementsAttr, \"tensor array attribute\">";
  case AttributeProto::TYPE_PROTO:
    return "TypeAttr";
  case AttributeProto::TYPE_PROTOS:
    return "TypeArrayAttr";
  case AttributeProto::GRAPH:
  case AttributeProto::GRAPHS:
  default:
    return "";
  }
}

/// ODS argument names must be identifiers that do not collide once ODS turns
/// them into getters (`getFoo`).
class NameTable {
public:
  std::string unique(const std::string &onnxName, const char *suffix) {
    std::string name;
    for (char c : onnxName)
      name += (std::isalnum(static_cast<unsigned char>(c)) || c == '_') ? c : '_';
    if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0])))
      name = "v" + name;
    while (!used_.insert(getterKey(name)).second)
      name += suffix;
    return name;
  }

private:
  static std::string getterKey(const std::string &name) {
    std::string key;
    bool upper = true;
    for (char c : name) {
      if (c == '_') {
        upper = true;
        continue;
      }
      key += upper ? static_cast<char>(std::toupper(c)) : c;
      upper = false;
    }
    return key;
  }
  std::set<std::string> used_;
};

bool isNondeterministic(const std::string &name) {
  return name.rfind("Random", 0) == 0 || name == "Bernoulli" || name == "Multinomial";
}

void writeOp(std::ostream &os, const OpSchema &schema) {
  const std::string &name = schema.Name();
  bool hasGraph = false;
  for (const auto &entry : schema.attributes())
    if (entry.second.type == AttributeProto::GRAPH || entry.second.type == AttributeProto::GRAPHS)
      hasGraph = true;

  std::string traits;
  if (hasGraph)
    traits = "RecursiveMemoryEffects, RecursivelySpeculatable";
  else if (!isNondeterministic(name))
    traits = "Pure";
  // Constant is the one op the folding framework must recognise as a constant.
  bool isConstant = name == "Constant";
  if (isConstant)
    traits += ", ConstantLike";

  os << "def Onnx_" << name << "Op : Onnx_SchemaOp<\"" << name << "\", [" << traits << "]> {\n";
  os << "  let summary = \"ONNX " << name << " (opset " << schema.since_version() << ")\";\n";

  NameTable names;
  os << "  let arguments = (ins";
  bool first = true;
  for (const auto &in : schema.inputs()) {
    bool variadic = in.GetOption() == OpSchema::Variadic;
    bool optional = in.GetOption() == OpSchema::Optional;
    std::string c = typeConstraint(allowedTypes(schema, in), optional);
    if (variadic)
      c = "Variadic<" + c + ">";
    os << (first ? "\n    " : ",\n    ") << c << ":$" << names.unique(in.GetName(), "_in");
    first = false;
  }
  std::vector<std::pair<std::string, std::string>> regions;
  for (const auto &entry : schema.attributes()) {
    const OpSchema::Attribute &attr = entry.second;
    std::string c = attributeConstraint(attr);
    if (c.empty()) {
      regions.push_back({names.unique(attr.name, "_region"),
                         attr.type == AttributeProto::GRAPHS ? "VariadicRegion<AnyRegion>"
                                                             : "AnyRegion"});
      continue;
    }
    bool wrapOptional = !attr.required && c.rfind("DefaultValued", 0) != 0;
    if (wrapOptional)
      c = "OptionalAttr<" + c + ">";
    os << (first ? "\n    " : ",\n    ") << c << ":$" << names.unique(attr.name, "_attr");
    first = false;
  }
  os << ");\n";

  os << "  let results = (outs";
  first = true;
  for (const auto &out : schema.outputs()) {
    bool variadic = out.GetOption() == OpSchema::Variadic;
    bool optional = out.GetOption() == OpSchema::Optional;
    std::string c = typeConstraint(allowedTypes(schema, out), optional);
    if (variadic)
      c = "Variadic<" + c + ">";
    os << (first ? "\n    " : ",\n    ") << c << ":$" << names.unique(out.GetName(), "_out");
    first = false;
  }
  os << ");\n";

  if (isConstant)
    os << "  let hasFolder = 1;\n";
  if (!regions.empty()) {
    os << "  let regions = (region";
    for (size_t i = 0; i < regions.size(); ++i)
      os << (i ? ", " : " ") << regions[i].second << ":$" << regions[i].first;
    os << ");\n";
  }
  os << "}\n\n";
}

} // namespace

int main(int argc, char **argv) {
  if (argc != 3) {
    std::cerr << "usage: onnx-ods-gen <opset> <output.td>\n";
    return 2;
  }
  int opset = std::stoi(argv[1]);

  // Latest non-deprecated version of each standard-domain op at `opset`.
  std::map<std::string, const OpSchema *> latest;
  static const std::vector<OpSchema> all = onnx::OpSchemaRegistry::get_all_schemas_with_history();
  for (const OpSchema &s : all) {
    if (s.domain() != onnx::ONNX_DOMAIN || s.since_version() > opset)
      continue;
    const OpSchema *&slot = latest[s.Name()];
    if (!slot || slot->since_version() < s.since_version())
      slot = &s;
  }

  std::ostringstream os;
  os << "// Generated by onnx-ods-gen from libonnx's schema registry, opset " << opset
     << ". Do not edit.\n\n";
  os << "#ifndef SMELT_ONNX_OPS_TD\n#define SMELT_ONNX_OPS_TD\n\n";
  os << "include \"dialects/onnx/OnnxBase.td\"\n\n";
  for (const auto &entry : latest)
    if (!entry.second->Deprecated())
      writeOp(os, *entry.second);
  os << "#endif // SMELT_ONNX_OPS_TD\n";

  std::ofstream out(argv[2]);
  out << os.str();
  return out ? 0 : 1;
}
