// The libraries Redis gives every script and function, as globals: cjson (Debian's lua-cjson),
// bit (Debian's lua-bitop), cmsgpack (ours, on msgpack-c) and struct (ours).
#pragma once

#include <lua.hpp>

namespace weir::scripting {

// Opens the four libraries into L's globals (after luaL_openlibs or the runtime's own subset).
void OpenScriptLibraries(lua_State* L);

// Push the cmsgpack / struct module table (without setting a global); lua_CFunctions.
int OpenCmsgpackLib(lua_State* L);
int OpenStructLib(lua_State* L);

}  // namespace weir::scripting
