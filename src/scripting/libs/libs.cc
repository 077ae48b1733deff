#include "scripting/libs/libs.h"

extern "C" {
int luaopen_cjson(lua_State* L);
int luaopen_bit(lua_State* L);
}

namespace weir::scripting {

namespace {

// Runs a luaopen_* function and stores the table it returns as global `name`.
void OpenAsGlobal(lua_State* L, lua_CFunction open, const char* name) {
  lua_pushcfunction(L, open);
  lua_call(L, 0, 1);
  lua_setglobal(L, name);
}

}  // namespace

void OpenScriptLibraries(lua_State* L) {
  OpenAsGlobal(L, luaopen_cjson, "cjson");
  OpenAsGlobal(L, OpenCmsgpackLib, "cmsgpack");
  OpenAsGlobal(L, OpenStructLib, "struct");
  OpenAsGlobal(L, luaopen_bit, "bit");
}

}  // namespace weir::scripting
