"""Document templates: each turns plain input data into a `DocumentSpec` (see docs/documents.md, "Adding a
template"). The agreement and the guide are the worked examples; the other kinds follow the same pattern."""
