#!/bin/sh
# Regenerate models/{openai,pieces,cairos,bee}.json from upstream checkouts at the
# commits the models name (read only; nothing upstream is copied here).
# Usage: models/gen/regen.sh OPENAI_OPENAPI_JSON PIECES_SDK_SRC
#   OPENAI_OPENAPI_JSON  openai/openai-openapi@f85dbe2 openapi.json
#   PIECES_SDK_SRC       pieces-os-client-sdk-for-python@19a2910 src/pieces_os_client
set -eu
here=$(cd "$(dirname "$0")" && pwd)
models=$(dirname "$here")
python3 "$here/from_openapi.py" "$1" "openai-openapi openapi.json" "$here/openai-extra.json" \
    CreateChatCompletionRequest CreateChatCompletionResponse \
    CreateChatCompletionStreamResponse ErrorResponse > "$models/openai.json"
python3 "$here/from_pydantic.py" "$2" pieces-os-client-sdk-for-python \
    "$here/pieces-extra.json" > "$models/pieces.json"
python3 "$here/cairos.py" > "$models/cairos.json"
python3 "$here/bee.py" > "$models/bee.json"
