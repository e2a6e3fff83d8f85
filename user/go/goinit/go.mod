module lantern/goinit

go 1.19
