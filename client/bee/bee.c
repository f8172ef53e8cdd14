/* placeholder: replaced by the bee client */
