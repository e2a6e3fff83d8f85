module gounix

go 1.19
