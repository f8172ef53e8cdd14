#!/usr/bin/python3
"""Write models/bee.json: Bee's request and response types and its route table.

Written by hand from i-am-bee/bee-api@7f04eca (read, never copied): each
route's schema in src/*/*.module.ts and the DTOs in src/**/dtos/*.ts.
Stdlib only, deterministic:  python3 models/gen/bee.py > models/bee.json
The mock's Bee profile (mocks/server/bee.c) routes and validates requests
with the result; the conformance gate checks fixtures/bee with it.

Translation rules: AJV's `nullable: true` becomes a "null" in `type`;
`patternProperties` that match every key become `additionalProperties`;
uniqueItems, multipleOf, maxProperties and propertyNames come through as
bee-api writes them (the validator decides them as AJV 8 does); response
types are the DTO schemas, relaxed only where the service's own toDto emits
less (JSON.stringify serializer: Fastify does not enforce them).
"""
import json
import sys
R = "bee-api src/"
def ref(n): return {"$ref": "#/$defs/" + n}
S = {"type": "string"}
STRN = {"type": ["string", "null"]}
NUMN = {"type": ["number", "null"]}
D = {}
def d(name, src, schema, desc=None):
    s = {"x-source": R + src}
    if desc: s["description"] = desc
    s.update(schema); D[name] = s
def obj(props, req=None, addl=None):
    o = {"type": "object", "properties": props}
    if req: o["required"] = req
    if addl is not None: o["additionalProperties"] = addl
    return o

d("Metadata", "schema.ts metadataSchema", {"type": ["object", "null"], "maxProperties": 16,
  "propertyNames": {"pattern": "^.{1,64}$"},
  "additionalProperties": {"type": "string", "maxLength": 512}},
  "patternProperties '.*' is written as additionalProperties")
d("ToolUsage", "tools/dtos/tools-usage.ts toolUsageSchema", {"oneOf": [
  obj({"type": {"const": "user"}, "user": obj({"tool": obj({"id": S}, ["id"])}, ["tool"])}, ["type", "user"]),
  obj({"type": {"const": "function"}, "function": obj({"name": S, "description": S,
      "parameters": {"type": "object", "additionalProperties": True}}, ["name"])}, ["type", "function"]),
  obj({"type": {"const": "code_interpreter"}}, ["type"]),
  dict(obj({"type": {"const": "file_search"}, "file_search": obj({"max_num_results":
      {"type": "integer", "minimum": 1, "maximum": 50}})}, ["type"]), title="FileSearch tool"),
  obj({"type": {"const": "system"}, "system": obj({"id": {"type": "string", "enum":
      ["web_search", "wikipedia", "weather", "arxiv", "read_file", "llm", "calculator"]}}, ["id"])},
      ["type", "system"])]},
  "the arrays that hold it are uniqueItems (deep equality)")
fid = obj({"file_ids": {"type": "array", "items": S, "uniqueItems": True}}, addl=False)
d("ToolResources", "tools/dtos/tool-resources.ts toolResourcesSchema", {"type": ["object", "null"],
  "properties": {"code_interpreter": fid, "file_search": obj({"vector_store_ids":
      {"type": "array", "maxItems": 1, "items": S, "uniqueItems": True}}, addl=False)},
  "additionalProperties": fid},
  "patternProperties for user tool ids is written as additionalProperties (same effect for keys other than the two named)")
d("Error", "errors/dtos/error.ts errorSchema", obj({"message": S, "code": {"type": "string", "enum":
  ["auth_error", "internal_server_error", "invalid_input", "not_found", "service_unavailable",
   "service_error", "too_many_requests", "forbidden", "framework_error", "agent_error", "tool_error"]}},
  ["code", "message"]))
d("ErrorResponse", "errors/dtos/error-response.ts errorResponseSchema",
  obj({"error": ref("Error")}, ["error"], False),
  "errors/plugin.ts toErrorResponseDto builds exactly {error:{code,message}}")
d("NullableError", "runs/dtos/run.ts last_error ({...errorSchema, nullable:true})",
  {"oneOf": [{"type": "null"}, ref("Error")]})
# ---- request bodies ----
top_p = {"type": ["number", "null"], "minimum": 0, "maximum": 1, "multipleOf": 0.01}
temp = {"type": ["number", "null"], "minimum": 0, "maximum": 2, "multipleOf": 0.01}
asst_props = {"tools": {"type": "array", "items": ref("ToolUsage"), "uniqueItems": True}, "tool_resources": ref("ToolResources"),
  "name": {"type": ["string", "null"], "maxLength": 256}, "description": {"type": ["string", "null"], "maxLength": 512},
  "instructions": STRN, "system_prompt_overwrite": STRN, "metadata": ref("Metadata"), "model": S,
  "agent": {"type": "string", "enum": ["bee", "streamlit"]}, "top_p": top_p, "temperature": temp}
d("AssistantCreateBody", "assistants/dtos/assistant-create.ts assistantCreateBodySchema",
  obj(asst_props, addl=False), "AJV removeAdditional:false: an unknown field is 400.")
d("AssistantUpdateBody", "assistants/dtos/assistant-update.ts assistantUpdateBodySchema",
  obj({k: v for k, v in asst_props.items() if k != "agent"}, addl=False))
att_tools = {"type": "array", "minItems": 1, "items": {"type": "object", "oneOf": [
  obj({"type": {"const": "code_interpreter"}}, ["type"], False),
  obj({"type": {"const": "file_search"}}, ["type"], False),
  obj({"type": {"const": "system"}, "id": S}, ["type", "id"], False),
  obj({"type": {"const": "user"}, "id": S}, ["type", "id"], False)]}}
d("MessageCreateBody", "messages/dtos/message-create.ts messageCreateBodySchema",
  obj({"role": {"type": "string", "enum": ["user", "assistant"]}, "content": S,
       "attachments": {"type": ["array", "null"], "items": obj({"file_id": S, "tools": att_tools}, ["file_id"], False)},
       "metadata": ref("Metadata")}, ["role", "content"], False))
d("MessageUpdateBody", "messages/dtos/message-update.ts messageUpdateBodySchema",
  obj({"metadata": ref("Metadata")}, addl=False))
d("ThreadCreateBody", "threads/dtos/thread-create.ts threadCreateBodySchema",
  obj({"messages": {"type": "array", "items": ref("MessageCreateBody")}, "metadata": ref("Metadata"),
       "tool_resources": ref("ToolResources")}, addl=False))
d("ThreadUpdateBody", "threads/dtos/thread-update.ts threadUpdateBodySchema",
  obj({"metadata": ref("Metadata"), "tool_resources": ref("ToolResources")}, addl=False))
approvals = {"type": ["object", "null"], "additionalProperties": obj({"require": {"type": "string",
  "enum": ["always", "never"]}}, ["require"], False)}
run_props = {"assistant_id": S, "stream": {"type": ["boolean", "null"]},
  "tools": {"type": ["array", "null"], "items": ref("ToolUsage"), "uniqueItems": True}, "tool_approvals": approvals,
  "instructions": STRN, "additional_instructions": STRN, "model": STRN, "top_p": top_p,
  "temperature": temp, "metadata": ref("Metadata")}
d("RunCreateBody", "runs/dtos/run-create.ts runCreateBodySchema", obj(run_props, ["assistant_id"], False),
  "patternProperties '.*' of tool_approvals is written as additionalProperties.")
trp = {k: v for k, v in run_props.items() if k not in ("instructions", "additional_instructions", "metadata")}
trp = dict(list(trp.items())[:1] + [("thread", ref("ThreadCreateBody"))] + list(trp.items())[1:])
d("ThreadRunCreateBody", "runs/dtos/thread-run-create.ts threadRunCreateBodySchema",
  obj(trp, ["assistant_id"], False))
d("RunUpdateBody", "runs/dtos/run-update.ts runUpdateBodySchema", obj({"metadata": ref("Metadata")}, addl=False))
sb = {"type": ["boolean", "null"]}
d("RunSubmitToolOutputsBody", "runs/dtos/run-submit-tool-outputs.ts runSubmitToolOutputsBodySchema",
  obj({"tool_outputs": {"type": "array", "items": obj({"tool_call_id": S, "output": S},
      ["tool_call_id", "output"], False)}, "stream": sb}, ["tool_outputs"], False))
d("RunSubmitToolApprovalsBody", "runs/dtos/run-submit-tool-approvals.ts runSubmitToolApprovalsBodySchema",
  obj({"tool_approvals": {"type": "array", "items": obj({"tool_call_id": S, "approve": {"type": "boolean"}},
      ["tool_call_id", "approve"], False)}, "stream": sb}, ["tool_approvals"], False))
d("RunSubmitToolInputsBody", "runs/dtos/run-submit-tool-inputs.ts runSubmitToolInputsBodySchema",
  obj({"tool_inputs": {"type": "array", "items": obj({"tool_call_id": S, "inputs": {"type": "array",
      "items": obj({"name": S, "value": S}, ["name", "value"], False)}}, ["tool_call_id", "inputs"], False)},
      "stream": sb}, ["tool_inputs"], False))
exp_after = dict(obj({"anchor": {"type": "string", "enum": ["last_active_at"]},
  "days": {"type": "integer", "minimum": 1, "maximum": 365}}, ["anchor", "days"]),
  title="Vector store expiration policy")
d("ExpiresAfter", "vector-stores/dtos/vector-store-expiration-after.ts vectorStoreExpirationAfterSchema", exp_after)
d("ChunkingStrategyParam", "vector-store-files/dtos/chunking-strategy.ts chunkingStrategyRequestParamSchema",
  {"type": "object", "oneOf": [dict(obj({"type": {"type": "string", "enum": ["auto"]}}, ["type"], False),
   title="Auto Chunking Strategy")]})
dep = obj({"thread": obj({"id": S}, ["id"])}, ["thread"])
d("VectorStoreCreateBody", "vector-stores/dtos/vector-store-create.ts vectorStoreCreateBodySchema",
  obj({"file_ids": {"type": "array", "maxItems": 500, "items": S, "uniqueItems": True}, "name": S, "expires_after": ref("ExpiresAfter"),
       "chunking_strategy": ref("ChunkingStrategyParam"), "depends_on": dep, "metadata": ref("Metadata")}, addl=False))
d("VectorStoreUpdateBody", "vector-stores/dtos/vector-store-update.ts vectorStoreUpdateBodySchema",
  obj({"name": STRN, "expires_after": {"oneOf": [{"type": "null"}, ref("ExpiresAfter")]},
       "metadata": ref("Metadata")}, addl=False))
d("VectorStoreFileCreateBody", "vector-store-files/dtos/vector-store-file-create.ts vectorStoreFileCreateBodySchema",
  obj({"file_id": S, "chunking_strategy": ref("ChunkingStrategyParam")}, ["file_id"], False))
anyobj = {"type": "object", "additionalProperties": True}
d("ToolCreateBody", "tools/dtos/tool-create.ts toolCreateBodySchema", {"type": "object", "oneOf": [
  obj({"name": S, "source_code": S, "metadata": ref("Metadata"), "user_description": S,
       "secrets": {"type": "array", "items": S}}, ["source_code"], False),
  obj({"name": S, "open_api_schema": S, "api_key": S, "metadata": ref("Metadata"), "user_description": S},
      ["open_api_schema"], False),
  obj({"name": S, "description": S, "parameters": anyobj, "metadata": ref("Metadata"), "user_description": S},
      ["name"], False)]})
d("ToolUpdateBody", "tools/dtos/tool-update.ts toolUpdateBodySchema", {"type": "object", "anyOf": [
  obj({"name": S, "description": S, "source_code": S, "secrets": {"type": "array", "items": S},
       "metadata": ref("Metadata"), "user_description": S}, addl=False),
  obj({"name": S, "description": S, "open_api_schema": S, "api_key": {"type": ["string", "null"], "minLength": 1},
       "metadata": ref("Metadata"), "user_description": S}, addl=False),
  obj({"name": S, "description": S, "parameters": anyobj, "metadata": ref("Metadata"), "user_description": S},
      addl=False)]})
# ---- query strings (Fastify validates them after the body; values arrive
# as strings and AJV coerceTypes:'array' turns them into the declared type) ----
def pag(extra_order=()):
    return {"limit": {"type": "number", "minimum": 1, "maximum": 100},
            "after": S, "before": S, "order": {"type": "string", "enum": ["asc", "desc"]},
            "order_by": {"type": "string", "enum": ["created_at", *extra_order]}}
d("PaginationQuery", "schema.ts createPaginationQuerySchema()", obj(pag(), addl=False))
d("AssistantsListQuery", "assistants/dtos/assistants-list.ts assistantsListQuerySchema",
  obj(dict(pag(["name"]), public={"type": "boolean"}, agent={"type": "string", "enum": ["bee", "streamlit"]},
      search=STRN), addl=False))
ids = {"type": "array", "uniqueItems": True, "maxItems": 50, "items": S}
d("RunsListQuery", "runs/dtos/runs-list.ts runsListQuerySchema", obj(dict(pag(), **{"ids[]": ids}), addl=False))
d("FilesListQuery", "files/dtos/files-list.ts filesListQuerySchema",
  obj(dict(pag(["filename"]), **{"ids[]": ids, "show_dependent": {"type": "boolean"}}), addl=False))
d("VectorStoresListQuery", "vector-stores/dtos/vector-store-list.ts vectorStoresListQuerySchema",
  obj(dict(pag(["name"]), search=STRN, show_dependent={"type": "boolean"}), addl=False))
d("ToolsListQuery", "tools/dtos/tools-list.ts toolsListQuerySchema",
  obj(dict(pag(["type", "name"]), type={"type": "array", "uniqueItems": True, "items": {"type": "string", "enum":
      ["code_interpreter", "file_search", "function", "user", "system"]}},
      search={"type": ["string", "null"], "minLength": 1}), addl=False))
d("TraceReadQuery", "observe/dtos/trace-read.ts traceReadQuerySchema",
  obj({k: {"type": "boolean"} for k in ["include_tree", "include_mlflow", "include_mlflow_tree"]}, addl=False),
  "includeProperty is a boolean with a default (observe/dtos/shared.ts)")
d("SpanReadQuery", "observe/dtos/span-read.ts spanReadQuerySchema",
  obj({"include_attributes_ctx": {"type": "boolean"}}, addl=False))

# ---- responses ----
d("Assistant", "assistants/dtos/assistant.ts assistantSchema (emitted by assistants.service.ts toDto)",
  obj({"id": S, "object": {"const": "assistant"}, "tools": {"type": "array", "items": ref("ToolUsage")},
       "tool_resources": ref("ToolResources"), "instructions": STRN, "system_prompt_overwrite": STRN,
       "name": STRN, "description": STRN, "metadata": ref("Metadata"), "created_at": {"type": "number"},
       "model": S, "agent": {"type": "string", "enum": ["bee", "streamlit"]}, "top_p": NUMN, "temperature": NUMN},
      ["id", "object", "tools", "instructions", "name", "description", "metadata", "created_at", "model", "agent"]))
d("Thread", "threads/dtos/thread.ts threadSchema", obj({"id": S, "object": {"const": "thread"},
  "metadata": ref("Metadata"), "created_at": {"type": "number"}, "tool_resources": ref("ToolResources")},
  ["id", "metadata", "created_at", "object"]))
text_block = obj({"type": {"const": "text"}, "text": obj({"value": S}, ["value"])}, ["type", "text"])
att_tools_r = dict(att_tools); att_tools_r.pop("minItems")
d("Message", "messages/dtos/message.ts messageSchema (messages.service.ts toMessageDto)",
  obj({"id": S, "object": {"const": "thread.message"}, "role": {"type": "string", "enum": ["user", "assistant"]},
       "content": {"type": "array", "items": text_block}, "run_id": S, "metadata": ref("Metadata"),
       "created_at": {"type": "number"}, "attachments": {"type": ["array", "null"],
       "items": obj({"file_id": S, "tools": att_tools_r}, ["file_id", "tools"])}},
      ["id", "role", "content", "metadata", "created_at", "object"]))
d("MessageDelta", "messages/dtos/message-delta.ts messageDeltaSchema",
  obj({"id": S, "object": {"const": "thread.message.delta"}, "delta": obj({"role": {"type": "string",
      "enum": ["user", "assistant"]}, "content": {"type": "array", "items": obj({"index": {"type": "integer"},
      "type": {"const": "text"}, "text": obj({"value": S}, ["value"])}, ["index", "type", "text"])}},
      ["role", "content"])}, ["id", "object", "delta"]))
d("ToolCall", "tools/dtos/tool-call.ts toolCallSchema", obj({"id": S, "type": {"type": "string",
  "enum": ["code_interpreter", "file_search", "function", "user", "system"]}}, ["id", "type"]),
  "only id and type are checked here; the per-type payloads are in tools/dtos/tool-call.ts")
ra_variant = lambda kind, extra_req=(), extra=None: obj({"type": {"const": kind}, kind: obj(dict(
  {"tool_calls": {"type": "array", "items": ref("ToolCall")}}, **(extra or {})), ["tool_calls", *extra_req])},
  ["type", kind])
d("RequiredAction", "runs/dtos/run.ts required_action", {"oneOf": [{"type": "null"},
  ra_variant("submit_tool_outputs"), ra_variant("submit_tool_inputs", ["input_fields"],
  {"input_fields": {"type": "array", "items": S}}), ra_variant("submit_tool_approvals")]})
run_status = {"type": "string", "enum": ["queued", "in_progress", "requires_action", "cancelling", "cancelled",
  "failed", "completed", "incomplete", "expired"]}
d("Run", "runs/dtos/run.ts runSchema (runs.service.ts toRunDto)", obj({"id": S, "object": {"const": "thread.run"},
  "thread_id": S, "assistant_id": S, "status": run_status, "last_error": ref("NullableError"),
  "required_action": ref("RequiredAction"), "tools": {"type": "array", "items": ref("ToolUsage")},
  "instructions": STRN, "additional_instructions": STRN, "metadata": ref("Metadata"), "model": S,
  "top_p": NUMN, "temperature": NUMN, "created_at": NUMN, "started_at": NUMN, "expires_at": NUMN,
  "failed_at": NUMN, "cancelled_at": NUMN, "completed_at": NUMN},
  ["id", "object", "thread_id", "assistant_id", "status", "last_error", "required_action", "tools",
   "instructions", "additional_instructions", "metadata", "created_at", "expires_at", "started_at",
   "completed_at", "failed_at", "cancelled_at", "model"]))
d("StepDetails", "run-steps/dtos/run-step-details.ts runStepDetailsSchema", {"oneOf": [
  obj({"type": {"const": "message_creation"}, "message_creation": obj({"message_id": S}, ["message_id"])},
      ["type", "message_creation"]),
  obj({"type": {"const": "tool_calls"}, "tool_calls": {"type": "array", "items": ref("ToolCall")}},
      ["type", "tool_calls"]),
  obj({"type": {"const": "thought"}, "thought": obj({"content": STRN})}, ["type", "thought"])]})
d("RunStep", "run-steps/dtos/run-step.ts runStepSchema (run-steps.service.ts toRunStepDto)",
  obj({"id": S, "object": {"const": "thread.run.step"}, "thread_id": S, "assistant_id": S, "run_id": S,
       "status": {"type": "string", "enum": ["in_progress", "completed", "failed", "cancelled"]},
       "type": {"type": "string", "enum": ["message_creation", "tool_calls", "thought"]},
       "step_details": ref("StepDetails"), "last_error": ref("NullableError"), "metadata": ref("Metadata"),
       "created_at": {"type": "number"}},
      ["id", "object", "thread_id", "assistant_id", "run_id", "type", "step_details", "metadata", "created_at"]))
d("RunStepDelta", "run-steps/dtos/run-step-delta.ts runStepDeltaSchema",
  obj({"id": S, "object": {"const": "thread.run.step.delta"}, "delta": obj({"step_details": {"type": "object",
      "properties": {"type": {"type": "string", "enum": ["message_creation", "tool_calls", "thought"]}},
      "required": ["type"]}}, ["step_details"])}, ["id", "object", "delta"]))
d("Trace", "runs/dtos/trace.ts traceSchema (runs.service.ts getTrace)", obj({"id": S,
  "iterations": {"type": "array", "items": obj({"id": S, "event": obj({"group_id": S}, ["group_id"])}, ["id", "event"])}},
  ["id", "iterations"]))
d("File", "files/dtos/file.ts fileSchema", obj({"id": S, "bytes": {"type": "integer"}, "created_at": {"type": "number"},
  "filename": S, "object": {"const": "file"}, "purpose": {"type": "string", "enum": ["assistants", "assistants_output"]},
  "depends_on": dep}, ["id", "bytes", "created_at", "filename", "object", "purpose"]))
cnt = {"type": "integer"}
d("VectorStore", "vector-stores/dtos/vector-store.ts vectorStoreSchema (vector-stores.service.ts toDto omits expires_at/expires_after/description/depends_on when unset)",
  obj({"id": S, "object": {"type": "string", "enum": ["vector_store"]}, "created_at": cnt, "name": S,
       "usage_bytes": cnt, "file_counts": obj({k: cnt for k in ["in_progress", "completed", "failed", "cancelled", "total"]},
       ["in_progress", "completed", "failed", "cancelled", "total"]),
       "status": {"type": "string", "enum": ["expired", "in_progress", "completed"]},
       "expires_after": ref("ExpiresAfter"), "expires_at": {"type": ["integer", "null"]},
       "last_active_at": {"type": ["integer", "null"]}, "depends_on": dep, "metadata": ref("Metadata")},
      ["id", "object", "usage_bytes", "created_at", "status", "last_active_at", "name", "file_counts", "metadata"]))
d("VectorStoreFile", "vector-store-files/dtos/vector-store-file.ts vectorStoreFileSchema",
  obj({"id": S, "object": {"type": "string", "enum": ["vector_store.file"]}, "usage_bytes": cnt, "created_at": cnt,
       "vector_store_id": S, "status": {"type": "string", "enum": ["in_progress", "completed", "failed", "cancelled"]},
       "last_error": ref("NullableError"), "chunking_strategy": {"type": "object"}},
      ["id", "object", "usage_bytes", "created_at", "vector_store_id", "status", "last_error"]))
d("Tool", "tools/dtos/tool.ts toolSchema (tools.service.ts toDto)",
  obj({"id": S, "type": {"type": "string", "enum": ["code_interpreter", "file_search", "function", "user", "system"]},
       "object": {"const": "tool"}, "name": S, "description": S, "is_external": {"type": "boolean"},
       "source_code": STRN, "json_schema": STRN, "open_api_schema": STRN, "api_key": STRN,
       "created_at": {"type": "number"}, "user_description": STRN, "metadata": ref("Metadata")},
      ["id", "type", "object", "name", "is_external", "source_code", "created_at", "description", "json_schema",
       "open_api_schema", "user_description"]),
  "toolSchema also requires metadata, but toDto leaves it undefined (so JSON.stringify drops it) for the function, llm and calculator system tools; the response serializer is JSON.stringify (server.ts), so the schema is not enforced")
def deleted(name, obj_name, src):
    d(name, src + " (utils/delete.ts createDeleteResponse)", obj({"id": S, "object": {"const": obj_name + ".deleted"},
      "deleted": {"type": "boolean"}}, ["id", "object", "deleted"]))
deleted("AssistantDeleted", "assistant", "assistants/assistants.service.ts deleteAssistant")
deleted("ThreadDeleted", "thread", "threads/threads.service.ts deleteThread")
deleted("MessageDeleted", "thread.message", "messages/messages.service.ts deleteMessage")
deleted("FileDeleted", "file", "files/files.service.ts deleteFile")
deleted("ToolDeleted", "tool", "tools/tools.service.ts deleteTool")
deleted("VectorStoreDeleted", "vectorStore", "vector-stores/vector-stores.service.ts deleteVectorStore")
deleted("VectorStoreFileDeleted", "vectorStoreFile", "vector-store-files/vector-store-files.service.ts deleteVectorStoreFile")
def page(name, item):
    d(name, "schema.ts withPagination (utils/pagination.ts createPaginatedResponse)",
      obj({"data": {"type": "array", "items": ref(item)}, "first_id": STRN, "last_id": STRN,
           "has_more": {"type": "boolean"}, "total_count": {"type": "number"}},
          ["data", "first_id", "last_id", "has_more", "total_count"]))
for n in ["Assistant", "Thread", "Message", "Run", "RunStep", "File", "VectorStore", "VectorStoreFile", "Tool"]:
    page(n + "List", n)
d("Healthcheck", "terminus.ts (@godaddy/terminus statusOkResponse)", obj({"status": {"const": "ok"}}, ["status"]))
d("Done", "runs/execution/execute.ts publish({event:'done',data:'[DONE]'}) + streaming/sse.ts JSON.stringify",
  {"const": "[DONE]"})
d("TraceResult", "observe/dtos/trace-read.ts", obj({"result": {"type": "object"}}, ["result"]))

E = {"4xx": "#/$defs/ErrorResponse", "5xx": "#/$defs/ErrorResponse"}
run_sse = {}
for e in ["thread.run.created", "thread.run.queued", "thread.run.in_progress", "thread.run.requires_action",
          "thread.run.completed", "thread.run.incomplete", "thread.run.failed", "thread.run.cancelling",
          "thread.run.cancelled", "thread.run.expired"]:
    run_sse[e] = "#/$defs/Run"
for e in ["created", "in_progress", "completed", "failed", "cancelled", "expired"]:
    run_sse["thread.run.step." + e] = "#/$defs/RunStep"
run_sse["thread.run.step.delta"] = "#/$defs/RunStepDelta"
for e in ["created", "in_progress", "completed", "incomplete"]:
    run_sse["thread.message." + e] = "#/$defs/Message"
run_sse["thread.message.delta"] = "#/$defs/MessageDelta"
run_sse["done"] = "#/$defs/Done"
run_sse["error"] = "#/$defs/Error"
B = []
def b(method, path, request=None, ok=None, sse=False, module=None):
    x = {"method": method, "path": path if path.startswith("/observe/") else "/v1" + path}
    if module: x["note"] = R + module
    if method in ("POST", "PUT"):
        x["request"] = ("#/$defs/" + request) if request else None
    x["responses"] = dict({"200": ("#/$defs/" + ok) if ok else None}, **E)
    if sse: x["sse"] = run_sse
    B.append(x)
M = "assistants/assistants.module.ts"
b("POST", "/assistants", "AssistantCreateBody", "Assistant", module=M)
b("GET", "/assistants", ok="AssistantList", module=M)
b("GET", "/assistants/{assistant_id}", ok="Assistant", module=M)
b("POST", "/assistants/{assistant_id}", "AssistantUpdateBody", "Assistant", module=M)
b("DELETE", "/assistants/{assistant_id}", ok="AssistantDeleted", module=M)
M = "threads/threads.module.ts"
b("POST", "/threads", "ThreadCreateBody", "Thread", module=M)
b("GET", "/threads", ok="ThreadList", module=M)
b("GET", "/threads/{thread_id}", ok="Thread", module=M)
b("POST", "/threads/{thread_id}", "ThreadUpdateBody", "Thread", module=M)
b("DELETE", "/threads/{thread_id}", ok="ThreadDeleted", module=M)
M = "messages/messages.module.ts"
b("POST", "/threads/{thread_id}/messages", "MessageCreateBody", "Message", module=M)
b("GET", "/threads/{thread_id}/messages", ok="MessageList", module=M)
b("GET", "/threads/{thread_id}/messages/{message_id}", ok="Message", module=M)
b("POST", "/threads/{thread_id}/messages/{message_id}", "MessageUpdateBody", "Message", module=M)
b("DELETE", "/threads/{thread_id}/messages/{message_id}", ok="MessageDeleted", module=M)
M = "runs/runs.module.ts"
b("POST", "/threads/{thread_id}/runs", "RunCreateBody", "Run", sse=True, module=M)
b("POST", "/threads/runs", "ThreadRunCreateBody", "Run", sse=True, module=M)
b("GET", "/threads/{thread_id}/runs", ok="RunList", module=M)
b("GET", "/threads/{thread_id}/runs/{run_id}", ok="Run", module=M)
b("POST", "/threads/{thread_id}/runs/{run_id}", "RunUpdateBody", "Run", module=M)
b("GET", "/threads/{thread_id}/runs/{run_id}/trace", ok="Trace", module=M)
b("POST", "/threads/{thread_id}/runs/{run_id}/cancel", None, "Run", module=M)
b("POST", "/threads/{thread_id}/runs/{run_id}/submit_tool_outputs", "RunSubmitToolOutputsBody", "Run", sse=True, module=M)
b("POST", "/threads/{thread_id}/runs/{run_id}/submit_tool_approvals", "RunSubmitToolApprovalsBody", "Run", sse=True, module=M)
b("POST", "/threads/{thread_id}/runs/{run_id}/submit_tool_inputs", "RunSubmitToolInputsBody", "Run", sse=True, module=M)
M = "run-steps/run-steps.module.ts"
b("GET", "/threads/{thread_id}/runs/{run_id}/steps", ok="RunStepList", module=M)
b("GET", "/threads/{thread_id}/runs/{run_id}/steps/{step_id}", ok="RunStep", module=M)
M = "files/files.module.ts"
b("POST", "/files", None, "File", module=M + " (multipart body: not a JSON request)")
b("GET", "/files", ok="FileList", module=M)
b("GET", "/files/{file_id}", ok="File", module=M)
b("DELETE", "/files/{file_id}", ok="FileDeleted", module=M)
b("GET", "/files/{file_id}/content", module=M + " (raw file bytes)")
M = "vector-stores/vector-stores.module.ts"
b("POST", "/vector_stores", "VectorStoreCreateBody", "VectorStore", module=M)
b("GET", "/vector_stores", ok="VectorStoreList", module=M)
b("GET", "/vector_stores/{vector_store_id}", ok="VectorStore", module=M)
b("POST", "/vector_stores/{vector_store_id}", "VectorStoreUpdateBody", "VectorStore", module=M)
b("DELETE", "/vector_stores/{vector_store_id}", ok="VectorStoreDeleted", module=M)
M = "vector-store-files/vector-store-files.module.ts"
b("POST", "/vector_stores/{vector_store_id}/files", "VectorStoreFileCreateBody", "VectorStoreFile", module=M)
b("GET", "/vector_stores/{vector_store_id}/files", ok="VectorStoreFileList", module=M)
b("GET", "/vector_stores/{vector_store_id}/files/{file_id}", ok="VectorStoreFile", module=M)
b("DELETE", "/vector_stores/{vector_store_id}/files/{file_id}", ok="VectorStoreFileDeleted", module=M)
M = "tools/tools.module.ts"
b("POST", "/tools", "ToolCreateBody", "Tool", module=M)
b("GET", "/tools", ok="ToolList", module=M)
b("GET", "/tools/{tool_id}", ok="Tool", module=M)
b("POST", "/tools/{tool_id}", "ToolUpdateBody", "Tool", module=M)
b("DELETE", "/tools/{tool_id}", ok="ToolDeleted", module=M)
M = "observe/observe.module.ts (registered when BEE_OBSERVE_API_URL is set, as in bee-stack)"
b("GET", "/observe/v1/traces/{id}", ok="TraceResult", module=M)
b("GET", "/observe/v1/traces/{trace_id}/spans", module=M)
# Routes the mock does not model in detail: they exist (so no "Route does not exist"), bodies unchecked.
other = [("chat/chat.module.ts", [("POST", "/chat/completions")]),
  ("embeddings/embeddings.module.ts", [("POST", "/embeddings")]),
  ("tools/tool-secrets.module.ts", [("POST", "/tool_secrets"), ("GET", "/tool_secrets"),
     ("GET", "/tool_secrets/{tool_secret_id}"), ("POST", "/tool_secrets/{tool_secret_id}"),
     ("DELETE", "/tool_secrets/{tool_secret_id}")]),
  ("artifacts/artifacts.module.ts", [("POST", "/artifacts"), ("GET", "/artifacts"), ("GET", "/artifacts/{artifact_id}"),
     ("GET", "/artifacts/{artifact_id}/shared"), ("POST", "/artifacts/{artifact_id}"), ("DELETE", "/artifacts/{artifact_id}")]),
  ("users/users.module.ts", [("POST", "/users"), ("PUT", "/users"), ("GET", "/users")]),
  ("ui/ui.module.ts", [("GET", "/ui/last_assistant"), ("GET", "/ui/modules_to_packages")]),
  ("administration/projects.module.ts", [("POST", "/organization/projects"), ("GET", "/organization/projects"),
     ("GET", "/organization/projects/{project_id}"), ("POST", "/organization/projects/{project_id}"),
     ("POST", "/organization/projects/{project_id}/archive")]),
  ("administration/project-users.module.ts", [("GET", "/organization/projects/{project_id}/users"),
     ("POST", "/organization/projects/{project_id}/users"), ("GET", "/organization/projects/{project_id}/users/{user_id}"),
     ("POST", "/organization/projects/{project_id}/users/{user_id}"), ("DELETE", "/organization/projects/{project_id}/users/{user_id}")]),
  ("administration/organization-users.module.ts", [("GET", "/organization/users")]),
  ("administration/api-keys.module.ts", [("POST", "/organization/projects/{project_id}/api_keys"),
     ("GET", "/organization/projects/{project_id}/api_keys"), ("GET", "/organization/projects/{project_id}/api_keys/{api_key_id}"),
     ("POST", "/organization/projects/{project_id}/api_keys/{api_key_id}"),
     ("DELETE", "/organization/projects/{project_id}/api_keys/{api_key_id}"), ("GET", "/organization/api_keys")])]
for mod, routes in other:
    for method, path in routes:
        x = {"method": method, "path": "/v1" + path, "note": R + mod + " (not modelled: body and answer unchecked)"}
        if method in ("POST", "PUT"):
            x["request"] = None
        x["responses"] = {"2xx": None, "4xx": "#/$defs/ErrorResponse", "5xx": "#/$defs/ErrorResponse"}
        B.append(x)
B.append({"method": "GET", "path": "/healthcheck", "note": R + "terminus.ts (@godaddy/terminus answers any method on the exact URL)",
          "responses": {"200": "#/$defs/Healthcheck"}})
# find-my-way prefers a static segment to a parameter; the model's lookup takes
# the first binding that matches, so static routes go first.
B.sort(key=lambda x: [s.startswith("{") for s in x["path"].split("/")])
# Any other method + path: the not-found handler's 404, or the error handler's
# 400 when a JSON body does not parse (the body is parsed, never validated).
B.append({"path": "*", "note": R + "errors/plugin.ts setNotFoundHandler: 404 'Route does not exist'",
          "request": None, "responses": {"4xx": "#/$defs/ErrorResponse", "5xx": "#/$defs/ErrorResponse"}})
doc = {"service": "bee",
  "description": "Bee API request and response types, written from the server's own DTOs (Fastify route schemas validated by AJV with removeAdditional:false, coerceTypes:'array', useDefaults:true: src/ajv.ts). Bindings list every route bee-api registers (src/server.ts and each *.module.ts); the mock answers a method+path not listed here with 404 'Route does not exist'.",
  "sources": {"bee-api": "github:i-am-bee/bee-api@7f04eca src/**/dtos/*.ts, src/*/*.module.ts, src/schema.ts, src/errors/plugin.ts, src/terminus.ts"},
  "$defs": D, "bindings": B}
json.dump(doc, sys.stdout, indent=1, ensure_ascii=False)
print()
