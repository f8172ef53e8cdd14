/* placeholder: replaced by the client core */
