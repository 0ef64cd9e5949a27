print("filter-rules: under construction")
