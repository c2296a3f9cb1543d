src/pg/module.o: src/pg/module.cpp /work/main/src/pg/common/postgres.hpp \
 /work/main/src/pg/module.hpp
/work/main/src/pg/common/postgres.hpp:
/work/main/src/pg/module.hpp:
