# Turns a folder of help texts into a C table:
#   cmake -DDIR=help/codex-0.171.0 -DOUT=file.c -DNAME=SYMBOL -P embed_help.cmake
# DIR/INDEX.tsv (name<TAB>exit_code<TAB>argv) lists the texts; every row whose argv ends in
# ` --help` becomes one entry: its command path (argv without `codex` and `--help`), the bytes
# of DIR/<name>.txt (what `--help` prints) and of DIR/<name>.short.txt (what `-h` prints; the
# long text again when there is none).
function(c_bytes file out_var)
  file(READ "${file}" hex HEX)
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
  string(REGEX REPLACE "((0x..,){16})" "\\1\n" bytes "${bytes}")
  set(${out_var} "${bytes}0x00" PARENT_SCOPE)
endfunction()

file(STRINGS "${DIR}/INDEX.tsv" rows)
set(body "")
set(table "")
set(n 0)
foreach(row IN LISTS rows)
  string(REPLACE "\t" ";" cols "${row}")
  list(LENGTH cols ncols)
  if(NOT ncols EQUAL 3)
    continue()
  endif()
  list(GET cols 0 name)
  list(GET cols 2 argv)
  if(NOT argv MATCHES "^codex( .*)? --help$")
    continue()
  endif()
  string(REGEX REPLACE "^codex ?(.*) --help$" "\\1" path "${argv}")
  string(REGEX REPLACE "^codex --help$" "" path "${path}")
  set(long "${DIR}/${name}.txt")
  set(short "${DIR}/${name}.short.txt")
  if(NOT EXISTS "${short}")
    set(short "${long}")
  endif()
  c_bytes("${long}" lb)
  c_bytes("${short}" sb)
  file(SIZE "${long}" llen)
  file(SIZE "${short}" slen)
  string(APPEND body "static const char L${n}[] = {\n${lb}};\nstatic const char S${n}[] = {\n${sb}};\n")
  string(APPEND table "    {\"${path}\", L${n}, ${llen}, S${n}, ${slen}},\n")
  math(EXPR n "${n} + 1")
endforeach()
file(WRITE "${OUT}.tmp" "/* Generated from ${DIR} by cmake/embed_help.cmake; do not edit. */\n"
  "#include \"help_text.h\"\n\n${body}\n"
  "const help_entry ${NAME}[] = {\n${table}};\n"
  "const unsigned long ${NAME}_COUNT = ${n};\n")
file(RENAME "${OUT}.tmp" "${OUT}")
