"""models/cairos.json, written by hand from cairos-python-client (see docs/models.md).
Usage: cairos.py > models/cairos.json"""
import json
import sys
R = "#/$defs/"
M = "cairos_python_lowlevel/cairos_python_lowlevel/models/"
A = "cairos_python_lowlevel/cairos_python_lowlevel/api/default/"
def src(p): return "cairos-python-client " + p
def ref(n): return {"$ref": R + n}
def opt_null(s):  # langchain Optional[...] fields: the generated from_dict pops them without a check
    return {"anyOf": [s, {"type": "null"}]}
S = {"type": "string"}
OBJ = {"type": "object"}
defs = {
 "UUID": {"x-source": src(M + "*.py: UUID(d.pop(...)) (32 hex digits, dashes and braces optional)"),
          "type": "string",
          "pattern": "^[{]?[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}[}]?$"},
 "DateTime": {"x-source": src(M + "*.py: dateutil isoparse(d.pop(...))"), "type": "string",
              "pattern": "^[0-9]{4}-?[0-9]{2}-?[0-9]{2}([T ][0-9]{2}(:?[0-9]{2}(:?[0-9]{2}([.,][0-9]+)?)?)?(Z|[+-][0-9]{2}(:?[0-9]{2})?)?)?$"},
 "AnyJSON": {"x-source": src(A + "login_outseta_login_post.py, event_log_event_log_get.py: response.json() of any shape")},
 "AvatarStatus": {"x-source": src(M + "avatar_status.py"), "enum": ["autorigged", "mapped", "uploaded"]},
 "AvatarPublic": {"x-source": src(M + "avatar_public.py"), "type": "object",
   "properties": {"id": ref("UUID"), "user_id": S, "label": S,
                  "status": {"type": "array", "items": ref("AvatarStatus")}},
   "required": ["id", "user_id", "label"]},
 "AvatarList": {"x-source": src(A + "get_avatars_avatar_get.py"), "type": "array", "items": ref("AvatarPublic")},
 "SessionId": {"x-source": src(A + "get_session_id_session_id_get.py: cast(str, response.json())"), "type": "string"},
 "ChatThreadInList": {"x-source": src(M + "chat_thread_in_list.py"), "type": "object",
   "properties": {"id": S, "user_id": S, "created_at": ref("DateTime"), "nice_name": S},
   "required": ["id", "user_id", "created_at"]},
 "ThreadList": {"x-source": src(A + "get_threads_thread_get.py"), "type": "array", "items": ref("ChatThreadInList")},
 "ChatThreadPublic": {"x-source": src(M + "chat_thread_public.py"), "type": "object",
   "properties": {"id": S, "created_at": ref("DateTime"), "nice_name": S,
                  "messages": {"type": "array", "items": ref("StoredMessage")}},
   "required": ["id", "created_at"]},
 "StoredMessage": {"x-source": src(M + "stored_message.py"), "type": "object",
   "properties": {"type": {"enum": ["ai", "human", "tool"]},
                  "data": {"anyOf": [ref("HumanMessage"), ref("AIMessage"), ref("SystemMessage"), ref("ToolMessage")]}},
   "required": ["type", "data"]},
 "MessageContent": {"x-source": src(M + "human_message.py _parse_content (same in ai_, system_, tool_message.py)"),
   "anyOf": [S, {"type": "array", "items": {"type": ["string", "object"]}}]},
 "UsageMetadata": {"x-source": src(M + "usage_metadata.py"), "type": "object",
   "properties": {"input_tokens": {"type": "integer"}, "output_tokens": {"type": "integer"}, "total_tokens": {"type": "integer"}},
   "required": ["input_tokens", "output_tokens", "total_tokens"]},
 "ToolCall": {"x-source": src(M + "tool_call.py"), "type": "object",
   "properties": {"name": S, "args": OBJ, "id": S, "type": {"enum": ["tool_call"]}},
   "required": ["name", "args", "id"]},
 "InvalidToolCall": {"x-source": src(M + "invalid_tool_call.py"), "type": "object",
   "properties": {"name": S, "args": S, "id": S, "error": S, "type": {"enum": ["invalid_tool_call"]}},
   "required": ["name", "args", "id", "error"]},
}
def message(name, file, typ, extra=None, required=("content",)):
    props = {"content": ref("MessageContent"), "additional_kwargs": OBJ, "response_metadata": OBJ,
             "type": {"enum": [typ]}, "name": opt_null(S), "id": opt_null(S)}
    props.update(extra or {})
    defs[name] = {"x-source": src(M + file), "type": "object", "properties": props, "required": list(required)}
message("HumanMessage", "human_message.py", "human", {"example": {"type": "boolean"}})
message("AIMessage", "ai_message.py", "ai", {"example": {"type": "boolean"},
        "tool_calls": {"type": "array", "items": ref("ToolCall")},
        "invalid_tool_calls": {"type": "array", "items": ref("InvalidToolCall")},
        "usage_metadata": ref("UsageMetadata")})
message("SystemMessage", "system_message.py", "system")
message("ToolMessage", "tool_message.py", "tool", {"tool_call_id": S, "artifact": {},
        "status": {"enum": ["success", "error"]}}, ("content", "tool_call_id"))
defs.update({
 "Motion": {"x-source": src(M + "motion.py"), "type": "object",
   "properties": {"sg_id": {"type": "integer"}, "description": S, "input": S, "created_at": ref("DateTime"), "shot_description": S},
   "required": ["sg_id", "description", "input", "created_at", "shot_description"]},
 "Animation": {"x-source": src(M + "animation.py"), "type": "object",
   "properties": {"sequence": {"type": "array", "items": ref("Motion")}, "description": S},
   "required": ["sequence", "description"]},
 "ChatInput": {"x-source": src(M + "chat_input.py"), "type": "object",
   "properties": {"prompt": ref("HumanMessage"),
                  "history": {"type": "array", "items": {"anyOf": [ref("HumanMessage"), ref("AIMessage"), ref("SystemMessage"), ref("ToolMessage")]}},
                  "btl_objs": {"type": "array"},
                  "animation": {"type": "array", "items": ref("Animation")}},
   "required": ["prompt", "history", "btl_objs"]},
 "ChatOutput": {"x-source": src(M + "chat_output.py"), "type": "object",
   "properties": {"trigger_msg": ref("UUID"), "messages": {"type": "array"}, "btl_objs": S,
                  "animation": {"anyOf": [ref("Animation"), {"type": "null"}]}},
   "required": ["trigger_msg", "messages", "btl_objs"]},
 "OrmAnimation": {"x-source": src(M + "orm_animation.py"), "type": "object",
   "properties": {"job_thread": S, "job_trigger": ref("UUID"), "user_id": S, "created_at": ref("DateTime"),
                  "filepath_gltf": S, "filepath_bgeo": S, "avatar_id": ref("UUID"), "avatar_user_id": S, "nice_name": S},
   "required": ["job_thread", "job_trigger", "user_id", "created_at", "filepath_gltf", "filepath_bgeo"]},
 "Export": {"x-source": src(M + "export.py"), "type": "object",
   "properties": {"job_thread": S, "job_trigger": ref("UUID"), "user_id": S, "created_at": ref("DateTime"),
                  "filepath": S, "avatar_id": ref("UUID"), "avatar_user_id": S},
   "required": ["job_thread", "job_trigger", "user_id", "created_at", "filepath"]},
 "ValidationError": {"x-source": src(M + "validation_error.py"), "type": "object",
   "properties": {"loc": {"type": "array", "items": {"type": ["integer", "string"]}}, "msg": S, "type": S},
   "required": ["loc", "msg", "type"]},
 "HTTPValidationError": {"x-source": src(M + "http_validation_error.py"), "type": "object",
   "properties": {"detail": {"type": "array", "items": ref("ValidationError")}}},
 "HTTPException": {"x-source": "fastapi fastapi/exception_handlers.py http_exception_handler: {\"detail\": exc.detail} (the client raises UnexpectedStatus without parsing)",
   "type": "object", "properties": {"detail": {}}, "required": ["detail"]},
})
ERR = {"422": R + "HTTPValidationError", "4xx": R + "HTTPException"}
def rest(method, path, status, typ, request=None, note=None):
    b = {"method": method, "path": path}
    if request is not None or method in ("POST", "PUT", "PATCH"):
        b["request"] = request
    r = {str(status): typ}
    r.update(ERR)
    b["responses"] = r
    if note:
        b["note"] = note
    return b
bindings = [
 rest("POST", "/api/login", 200, R + "AnyJSON", None, "request: an application/x-www-form-urlencoded form (body_login_outseta_login_post.py), not JSON"),
 rest("GET", "/api/session_id", 200, R + "SessionId"),
 rest("GET", "/api/avatar", 200, R + "AvatarList"),
 rest("GET", "/api/avatar/{uuid}", 200, R + "AvatarPublic"),
 rest("GET", "/api/avatar/{uuid}/file", 200, None, None, "200: the avatar file itself (model/gltf-binary)"),
 rest("GET", "/api/thread", 200, R + "ThreadList"),
 rest("POST", "/api/thread", 201, R + "ChatThreadPublic", None, "no request body"),
 rest("GET", "/api/thread/{thread_id}", 200, R + "ChatThreadPublic"),
 rest("POST", "/api/thread/{thread_id}", 200, R + "ChatOutput", R + "ChatInput"),
 rest("POST", "/api/thread/{thread_id}/nosequence", 200, R + "ChatOutput", R + "ChatInput"),
 rest("POST", "/api/thread/{thread_id}/test", 200, R + "ChatOutput", R + "ChatInput"),
 rest("POST", "/api/anim/{thread_id}/{trigger_msg_id}/export", 202, R + "OrmAnimation", None, "no request body"),
 rest("GET", "/api/anim/{thread_id}/{trigger_msg_id}/download", 200, None, None, "200: the exported animation (application/zip)"),
 {"method": "GET", "path": "/api/event_log",
  "responses": {"422": R + "HTTPValidationError", "4xx": R + "HTTPException"},
  "sse": {"animation_success": R + "OrmAnimation", "export_success": R + "Export",
          "animation_error": None, "export_error": None, "usage_report": None,
          "avatar_upload_success": None, "avatar_upload_err": None,
          "avatar_autorig_success": None, "avatar_autorig_err": None,
          "avatar_mapping_success": None, "avatar_mapping_err": None,
          "avatar_export_success": None, "avatar_export_error": None,
          "animation_retarget_success": None, "animation_retarget_err": None},
  "note": "null events reach their callback as raw text (sse_listener.py, parse_model=False in the examples); names outside CairosSSEMessages (e.g. debug) are unbound: the handler raises UnknownSSEMessage"},
]
model = {"service": "cairos",
  "sources": {"cairos-python-client": "github:CairosAI/cairos-python-client@5ebd629db007ce1886c54e46e52c823deb44e86a (generated lowlevel models, api/default/*.py _parse_response, cairos_python_client/sse_listener.py)",
              "fastapi": "github:fastapi/fastapi fastapi/exception_handlers.py (error bodies the client does not parse)"},
  "$defs": dict(sorted(defs.items())), "bindings": bindings}
json.dump(model, sys.stdout, indent=1)
sys.stdout.write("\n")
