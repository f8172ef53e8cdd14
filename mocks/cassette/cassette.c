/* placeholder: replaced by the cassette implementation */
