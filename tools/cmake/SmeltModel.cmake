# SmeltModel.cmake - compile an ONNX model as part of a CMake build.
#
#   smelt_add_model(<name> MODEL <file.onnx|file.onnxtxt>
#                   [SHAPES <input>=<d0,d1,...> ...] [TARGET <triple>]
#                   [CPU <cpu>] [FEATURES <+f,...>] [OPT <0-3>])
#
# Runs `smelt compile --emit obj --name <name>` at build time (again whenever
# the model or the compiler changes) and makes a static library <name> of
# the object file, whose generated header <name>.h is on the include path of
# whatever links it: the entry points are <name>_run (static dims) and
# <name>_entry, the info <name>_info (see the header). Link it like any
# library: target_link_libraries(app PRIVATE <name>).
function(smelt_add_model name)
  cmake_parse_arguments(PARSE_ARGV 1 ARG "" "MODEL;TARGET;CPU;FEATURES;OPT" "SHAPES")
  if(NOT ARG_MODEL)
    message(FATAL_ERROR "smelt_add_model(${name}): MODEL is required")
  endif()
  if(TARGET Smelt::smelt)
    set(compiler Smelt::smelt)
    set(runtime Smelt::runtime_static)
  elseif(TARGET smelt) # Inside Smelt's own build.
    set(compiler smelt)
    set(runtime smelt_runtime_static)
  else()
    message(FATAL_ERROR "smelt_add_model(${name}): no Smelt compiler target; find_package(Smelt) first")
  endif()
  get_filename_component(model "${ARG_MODEL}" ABSOLUTE)
  set(dir "${CMAKE_CURRENT_BINARY_DIR}/smelt_models/${name}")
  set(object "${dir}/${name}.o")
  set(args compile "${model}" --emit obj --name "${name}" -o "${object}")
  foreach(shape IN LISTS ARG_SHAPES)
    list(APPEND args --shape "${shape}")
  endforeach()
  foreach(option TARGET CPU FEATURES)
    if(ARG_${option})
      string(TOLOWER "${option}" flag)
      list(APPEND args "--${flag}" "${ARG_${option}}")
    endif()
  endforeach()
  if(NOT "${ARG_OPT}" STREQUAL "")
    list(APPEND args "-O" "${ARG_OPT}")
  endif()
  add_custom_command(OUTPUT "${object}" "${dir}/${name}.h"
    COMMAND "${CMAKE_COMMAND}" -E make_directory "${dir}"
    COMMAND ${compiler} ${args}
    DEPENDS "${model}" "$<TARGET_FILE:${compiler}>"
    COMMENT "Compiling ONNX model ${name} with Smelt"
    VERBATIM)
  set_source_files_properties("${object}" PROPERTIES EXTERNAL_OBJECT TRUE GENERATED TRUE)
  add_library(${name} STATIC "${object}" "${dir}/${name}.h")
  set_target_properties(${name} PROPERTIES LINKER_LANGUAGE C)
  target_include_directories(${name} INTERFACE "${dir}")
  # The header includes smelt/model_abi.h; the model's code calls libm.
  target_link_libraries(${name} INTERFACE ${runtime} m)
endfunction()
