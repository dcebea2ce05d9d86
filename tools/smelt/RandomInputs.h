//===- RandomInputs.h - seeded random graph inputs --------------*- C++ -*-===//
//
// Values for the inputs `smelt bench` was given no file for: the same seed
// gives the same bytes on every machine (std::mt19937_64 is fully specified;
// the mapping to values is done here, not by std::*_distribution, whose
// output differs between standard libraries).
//
//===----------------------------------------------------------------------===//
#ifndef SMELT_TOOLS_SMELT_RANDOMINPUTS_H
#define SMELT_TOOLS_SMELT_RANDOMINPUTS_H

#include "tools/smelt/ValueIO.h"

#include <random>
#include <string>

namespace smelt {

/// A random tensor for `group`: floats uniform in [-1, 1], integers in
/// [0, 3] (small enough to be valid indices or counts of most models), bools
/// either way. False with `error` naming the input if it is not a plain
/// tensor or has a dynamic dim: those need a file.
bool randomInput(const SlotGroup &group, std::mt19937_64 &rng, HostValue &value,
                 std::string &error);

} // namespace smelt

#endif // SMELT_TOOLS_SMELT_RANDOMINPUTS_H
