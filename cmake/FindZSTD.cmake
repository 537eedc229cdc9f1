# Finds Zstandard (Debian's libzstd-dev), a codec for table blocks.
# Provides ZSTD::zstd and ZSTD_FOUND.
find_path(ZSTD_INCLUDE_DIR NAMES zstd.h)
find_library(ZSTD_LIBRARY NAMES zstd)

include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(ZSTD REQUIRED_VARS ZSTD_INCLUDE_DIR ZSTD_LIBRARY)

if(ZSTD_FOUND AND NOT TARGET ZSTD::zstd)
  add_library(ZSTD::zstd UNKNOWN IMPORTED)
  set_target_properties(ZSTD::zstd PROPERTIES IMPORTED_LOCATION "${ZSTD_LIBRARY}"
                                        INTERFACE_INCLUDE_DIRECTORIES "${ZSTD_INCLUDE_DIR}")
endif()
mark_as_advanced(ZSTD_INCLUDE_DIR ZSTD_LIBRARY)
