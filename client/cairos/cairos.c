/* placeholder: replaced by the cairos client */
