module goroexamples

go 1.19
