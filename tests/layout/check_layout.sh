#!/usr/bin/env bash
# The layout's rules (doc/design.md, "Layout and the dependency rule"), checked on the tree:
#  - storage_format/ includes nothing from CAF, actors/ or api/src/;
#  - actors/ includes nothing from api/src/;
#  - every source file is listed in a CMakeLists.txt (sources are listed, not globbed, so a
#    forgotten file must fail here rather than silently drop out of the build or the tests);
#  - nothing cites a design file outside the repository.
# Prints each violation; exits 1 when there is any.
set -uo pipefail
top=${1:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$top" || exit 2
violations=0
report() {
  echo "layout: $*"
  violations=$((violations + 1))
}

while IFS= read -r hit; do
  report "storage_format/ must not depend on CAF, actors/ or api/src/: $hit"
done < <(grep -rnE '#include *[<"](caf/|actors/|api/src/)' storage_format)

while IFS= read -r hit; do
  report "actors/ must not include api/src/: $hit"
done < <(grep -rnE '#include *"api/src/' actors)

listed=$(cat CMakeLists.txt apps/CMakeLists.txt bench/CMakeLists.txt bench/micro/CMakeLists.txt \
  tests/CMakeLists.txt)
checked=0
while IFS= read -r file; do
  checked=$((checked + 1))
  case "$file" in
    storage_format/* | actors/* | api/src/*) name=$file ;;
    apps/*) name=${file#apps/} ;;
    bench/micro/*) name=${file#bench/micro/} ;;
    bench/*) name=${file#bench/} ;;
    tests/*) name=${file#tests/} ;;
  esac
  grep -qF -- "$name" <<<"$listed" || report "$file is not listed in any CMakeLists.txt"
done < <(find storage_format actors api/src apps bench tests -name '*.cpp' \
  ! -path 'tests/install/consumer/*' | sort)

while IFS= read -r hit; do
  report "cites a design file outside the repository (cite doc/design.md): $hit"
done < <(grep -rnE '\.\./shared|DESIGN\.md' --include='*.cpp' --include='*.hpp' --include='*.md' \
  --include='*.txt' --include='*.sh' storage_format actors api apps bench tests doc scripts README.md \
  BENCHMARKS.md 2>/dev/null | grep -v '^tests/layout/check_layout.sh')

echo "layout: $checked source files checked, $violations violation(s)"
[ "$violations" -eq 0 ]
