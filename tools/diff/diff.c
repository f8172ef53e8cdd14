/* placeholder: replaced by the diff */
