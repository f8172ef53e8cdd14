/* placeholder: replaced by the replay server */
