/* placeholder: replaced by the openai client */
