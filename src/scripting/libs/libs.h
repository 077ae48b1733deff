// The libraries Redis gives every script and function, as globals: cjson (Debian's lua-cjson),
// bit (Debian's lua-bitop), cmsgpack (ours, on msgpack-c) and struct (ours).
#pragma once

#include <lua.hpp>

namespace weir::scripting {

void OpenScriptLibraries(lua_State* L);

}  // namespace weir::scripting
