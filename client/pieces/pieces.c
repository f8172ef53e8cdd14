/* placeholder: replaced by the pieces client */
