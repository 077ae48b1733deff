// Tests for the function library registry and the per-thread interpreters that follow it
// (scripting/functions.h): two ThreadFunctions stand for two event-loop threads.
#include "scripting/functions.h"

#include <gtest/gtest.h>

#include <string>

#include "protocol/reply_builder.h"
#include "scripting/script_cache.h"

namespace weir::scripting {
namespace {

std::string Library(const std::string& name, const std::string& body) {
  return "#!lua name=" + name + "\n" + body;
}

// Runs a function with no keys or arguments in that interpreter; returns its RESP2 reply.
std::string Call(ThreadFunctions& t, const std::string& name) {
  t.Sync();
  const ThreadFunctions::Function* fn = t.Find(name);
  if (fn == nullptr) return "(not found)";
  std::string out;
  protocol::ReplyBuilder reply(&out);
  t.lua().PushFunction(fn->ref);
  t.lua().RunFunction({{}, {}, nullptr, name, false}, reply);
  return out;
}

TEST(LibraryMetadataTest, ShebangForms) {
  std::string engine, name, error;
  size_t len = 0;
  ASSERT_TRUE(ParseLibraryMetadata("#!lua name=lib\nreturn 1", &engine, &name, &len, &error));
  EXPECT_EQ(engine, "lua");
  EXPECT_EQ(name, "lib");
  EXPECT_EQ(len, 14u);
  ASSERT_TRUE(ParseLibraryMetadata("#!LUA NAME=\"q\"\n", &engine, &name, &len, &error));
  EXPECT_EQ(engine, "LUA");
  EXPECT_EQ(name, "q");
  EXPECT_FALSE(ParseLibraryMetadata("return 1", &engine, &name, &len, &error));
  EXPECT_EQ(error, "Missing library metadata");
  EXPECT_FALSE(ParseLibraryMetadata("#!lua name=x", &engine, &name, &len, &error));
  EXPECT_EQ(error, "Invalid library metadata");
  EXPECT_FALSE(ParseLibraryMetadata("#!lua\n", &engine, &name, &len, &error));
  EXPECT_EQ(error, "Library name was not given");
  EXPECT_FALSE(ParseLibraryMetadata("#!lua name=a name=b\n", &engine, &name, &len, &error));
  EXPECT_EQ(error, "Invalid metadata value, name argument was given multiple times");
  EXPECT_FALSE(ParseLibraryMetadata("#!lua name=a x=y\n", &engine, &name, &len, &error));
  EXPECT_EQ(error, "Invalid metadata value given: x=y");
}

TEST(FunctionRegistryTest, InterpretersFollowTheRegistry) {
  FunctionRegistry registry;
  ThreadFunctions a(registry), b(registry);
  std::string result;
  ASSERT_TRUE(registry.Load(a,
                            Library("lib", "redis.register_function('f', function() return 1 end)"),
                            false, FunctionRegistry::kLoadTimeoutMs, nullptr, &result));
  EXPECT_EQ(result, "lib");
  // The loading interpreter keeps what it loaded; the other one loads it when it syncs.
  EXPECT_NE(a.Find("F"), nullptr);
  EXPECT_EQ(b.Find("f"), nullptr);
  EXPECT_EQ(Call(b, "f"), ":1\r\n");

  ASSERT_TRUE(registry.Load(b,
                            Library("lib", "redis.register_function('f', function() return 2 end)"),
                            true, FunctionRegistry::kLoadTimeoutMs, nullptr, &result));
  EXPECT_EQ(Call(a, "f"), ":2\r\n");
  EXPECT_EQ(Call(b, "f"), ":2\r\n");

  EXPECT_TRUE(registry.Delete("lib"));
  EXPECT_FALSE(registry.Delete("lib"));
  EXPECT_EQ(Call(a, "f"), "(not found)");
  EXPECT_EQ(registry.library_count(), 0u);
}

TEST(FunctionRegistryTest, LoadErrorsLeaveEverythingAsItWas) {
  FunctionRegistry registry;
  ThreadFunctions t(registry);
  std::string result;
  ASSERT_TRUE(registry.Load(t,
                            Library("one", "redis.register_function('f', function() return 1 end)"),
                            false, 0, nullptr, &result));
  uint64_t generation = registry.generation();
  EXPECT_FALSE(registry.Load(t, Library("two", "redis.register_function('F', function() end)"),
                             false, 0, nullptr, &result));
  EXPECT_EQ(result, "Function F already exists");
  EXPECT_FALSE(registry.Load(t, Library("one", "redis.register_function('g', function() end)"),
                             false, 0, nullptr, &result));
  EXPECT_EQ(result, "Library 'one' already exists");
  EXPECT_FALSE(registry.Load(t, Library("one", "redis.register_function('g', 1)"), true, 0, nullptr,
                             &result));
  EXPECT_EQ(result.rfind("Error registering functions: ERR second argument", 0), 0u) << result;
  EXPECT_FALSE(registry.Load(t, Library("bad-name", ""), false, 0, nullptr, &result));
  EXPECT_FALSE(registry.Load(t, "#!py name=x\n", false, 0, nullptr, &result));
  EXPECT_EQ(result, "Engine 'py' not found");
  EXPECT_EQ(registry.generation(), generation);
  EXPECT_EQ(Call(t, "f"), ":1\r\n");
}

TEST(FunctionRegistryTest, DumpRestoreRoundTrip) {
  FunctionRegistry from, to;
  ThreadFunctions a(from), b(to);
  std::string result;
  ASSERT_TRUE(from.Load(a, Library("l1", "redis.register_function('f1', function() return 1 end)"),
                        false, 0, nullptr, &result));
  ASSERT_TRUE(from.Load(a,
                        Library("l2",
                                "redis.register_function{function_name='f2', callback="
                                "function() return 2 end, flags={'no-writes'}, "
                                "description='two'}"),
                        false, 0, nullptr, &result));
  std::string payload = from.Dump();
  std::string error;
  ASSERT_TRUE(to.Restore(b, payload, RestorePolicy::kAppend, &error)) << error;
  EXPECT_EQ(to.library_count(), 2u);
  EXPECT_EQ(to.function_count(), 2u);
  EXPECT_EQ(Call(b, "f2"), ":2\r\n");
  const ThreadFunctions::Function* f2 = b.Find("f2");
  ASSERT_NE(f2, nullptr);
  EXPECT_EQ(f2->info->flags, kScriptNoWrites);
  EXPECT_EQ(f2->info->description, "two");
  EXPECT_EQ(to.Dump(), payload);

  EXPECT_FALSE(to.Restore(b, payload, RestorePolicy::kAppend, &error));
  EXPECT_EQ(error, "Library l1 already exists");
  EXPECT_TRUE(to.Restore(b, payload, RestorePolicy::kReplace, &error)) << error;
  EXPECT_TRUE(to.Restore(b, payload, RestorePolicy::kFlush, &error)) << error;
  EXPECT_EQ(Call(b, "f1"), ":1\r\n");

  payload[payload.size() / 2] ^= 1;
  EXPECT_FALSE(to.Restore(b, payload, RestorePolicy::kFlush, &error));
  EXPECT_EQ(error, "DUMP payload version or checksum are wrong");
  EXPECT_EQ(to.library_count(), 2u);
}

}  // namespace
}  // namespace weir::scripting
