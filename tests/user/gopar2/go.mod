module lantern/gopar2

go 1.19
